# The replay protocol, first on generated data (the EXAMPLES of
# rs-replay(1), which must rank popular < recent < the default blend),
# then on the real Retailrocket events sample.  Every add-to-cart event
# of the sample is a request (the test window spans the sample): the
# recently-viewed row must reproduce the measured 66 % hit@10
# (PROVENANCE.md) within a point, popular must stay far below it, a
# discovery request can never be hit by recent, and the whole run is
# clean with causal models (--knn-daily) and with models trained before
# the last 45 days (rs-knn-train --until, rs-als-train), answers never
# naming a bought item, the same bytes for any --threads.
set -eu
export OPENBLAS_NUM_THREADS=1
fail() { echo "FAIL: $*"; exit 1; }
# field F of the row of recommender R, targets T, K in replay CSV; a
# blend's quoted name "recent:5,itemknn:5" is matched as recent:5+itemknn:5
get() { sed -E ':a
    s/^("[^",]*),/\1+/
    ta
    s/^"([^"]*)"/\1/' "$5" | awk -F, -v r="$1" -v t="$2" -v k="$3" \
    -v f="$4" '$1 == r && $2 == t && $4 == k { print $f }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# generated data, the pipeline of rs-replay(1) EXAMPLES
rs-synth -q -s 0.005 -o gen
rs-load -q -o gen.rse gen/events.csv
rs-requests -q --since end-14d -o gen.rsq gen.rse
t=$(rs-cat -m since gen.rsq)
rs-knn-train -q --until "$t" -o gen.rsk gen.rse
rs-interactions -q --until "$t" -o gen.rsm gen.rse
rs-als-train -q -f 8 -i 5 -o gen.rsa gen.rsm
rs-replay -q -t 2 --format csv -r gen.rsq -H gen.rse -n gen.rsk \
    -m gen.rsa >gen.csv
p=$(get popular all 10 5 gen.csv)
r=$(get recent all 10 5 gen.csv)
b=$(get recent:5+itemknn:5+popular:0 all 10 5 gen.csv)
lt "$p" "$r" && lt "$r" "$b" ||
    fail "generated data: popular $p, recent $r, blend $b out of order"

d=${RS_DATA:-}
if [ ! -f "$d/events_sample_5000_visitors.csv" ]; then
	echo "skip: Retailrocket events sample not found in '$d'" >&2
	exit 77
fi

rs-load -q -o events.rse "$d/events_sample_5000_visitors.csv"
rs-requests -q -o all.rsq events.rse
n=$(rs-cat -H all.rsq | wc -l)
# 263 add-to-cart rows, 2 of them exact duplicates: one request each pair
[ "$n" -eq 261 ] || fail "expected 261 add-to-cart requests, got $n"
[ "$(rs-cat -m duplicates all.rsq)" -eq 2 ] ||
    fail "expected 2 duplicate rows dropped"

# PROVENANCE counts without filters: --keep-bought
rs-replay -q --keep-bought --format csv -r all.rsq -H events.rse \
    >keep.csv
hit=$(get recent all 10 5 keep.csv)
awk -v h="$hit" 'BEGIN { exit !(h >= 0.652 && h <= 0.672) }' ||
    fail "recent hit@10 $hit, expected 0.662 within a point"
pop=$(get popular all 10 5 keep.csv)
awk -v h="$pop" 'BEGIN { exit !(h > 0.02 && h < 0.12) }' ||
    fail "popular hit@10 $pop, expected about 0.06"
[ "$(get recent discovery 10 5 keep.csv)" = 0.0000 ] ||
    fail "recent hit a discovery request"

# causal item-kNN (retrained per day on the days before), 1 and 2 threads
rs-replay -q --knn-daily --format csv -r all.rsq -H events.rse \
    -a ans.csv --answers-of recent:5,itemknn:5,popular:0 >daily.csv
rs-replay -q -t 2 --knn-daily --format csv -r all.rsq -H events.rse \
    >daily2.csv
cmp daily.csv daily2.csv || fail "--threads changed the table"
[ -n "$(get recent:5+itemknn:5+popular:0 all 10 5 daily.csv)" ] ||
    fail "no blend row"
[ "$(wc -l <ans.csv)" -gt 261 ] || fail "too few answer rows"

# bought items never come back: no answer names an item its visitor
# bought before the request
rs-cat -H all.rsq | awk -F, '{ print $1 "," $3 }' | sort -t, -k1,1 >t.txt
awk -F, 'NR > 1 { print $1 "," $2 "," $3 }' ans.csv | sort -t, -k1,1 |
    join -t, - t.txt >ans_t.txt
rs-cat -H events.rse | awk -F, '$3 == "transaction" {
    print $2 "," $4 "," $1 }' >bt.txt
awk -F, 'NR == FNR { b[$1 "," $2] = b[$1 "," $2] " " $3; next }
    { split(b[$2 "," $3], ts, " "); for (i in ts) if (ts[i] < $4) bad++ }
    END { exit bad > 0 }' bt.txt ans_t.txt || fail "a bought item recommended"

# availability from both property samples (one early weekly snapshot):
# the filter may only take hits away, never add rows of unavailable
# items; and a windowed popular row carries its label
rs-load -q -o p1.rse "$d/item_properties_part1_sample.csv"
rs-load -q -o p2.rse "$d/item_properties_part2_sample.csv"
rs-replay -q --format csv -r all.rsq -H events.rse -A p1.rse -A p2.rse \
    --popular-window 1d >avail.csv
a=$(get recent all 10 5 avail.csv)
r=$(get recent all 10 5 daily.csv)
awk -v a="$a" -v r="$r" 'BEGIN { exit !(a <= r) }' ||
    fail "recent hit@10 with -A $a above $r without"
[ -n "$(get 'popular(1d)' all 10 5 avail.csv)" ] || fail "no popular(1d) row"

# models trained before the last 45 days, replaying that window
rs-requests -q --since end-45d -o win.rsq events.rse
t=$(rs-cat -m since win.rsq)
rs-knn-train -q --until "$t" -o knn.rsk events.rse
rs-interactions -q --until "$t" -o train.rsm events.rse
OPENBLAS_NUM_THREADS=1 rs-als-train -q -f 8 -i 5 -o als.rsa train.rsm
rs-replay -q --format csv -r win.rsq -H events.rse -n knn.rsk -m als.rsa \
    -b recent:5,itemknn:4,als:1 >win.csv
for r in popular recent itemknn als recent:5+itemknn:4+als:1; do
	[ -n "$(get $r discovery 10 5 win.csv)" ] || fail "no '$r' row"
done
exit 0
