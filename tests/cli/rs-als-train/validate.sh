# --validate prints recall@k and NDCG@k per iteration; --early-stop stops
set -e
rs-synth -q -s 0.01 -o d
rs-load -q -o ev.rse d/events.csv
rs-interactions -q --until end-14d -o train.rsm ev.rse
rs-interactions -q --since end-14d -e addtocart -o test.rsm ev.rse
rs-als-train -f 8 -i 3 -k 5 --validate test.rsm -o m.rsa train.rsm 2>&1 | sed -E "s/@5 [0-9.]+/@5 N/g; s/[(][0-9]+ visitors/(N visitors/"
rs-als-train -m popular -k 5 --validate test.rsm -o p.rsa train.rsm 2>&1 | sed -E "s/@5 [0-9.]+/@5 N/g; s/[(][0-9]+ visitors/(N visitors/"
n=$(rs-als-train -f 8 -i 30 --early-stop --validate test.rsm -o m.rsa train.rsm 2>&1 | wc -l)
[ "$n" -lt 30 ] && echo "stopped early"
