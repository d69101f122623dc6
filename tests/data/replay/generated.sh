# generated.sh - sourced by the replay pipeline tests: generated data
# (rs-synth -s 0.03) replayed over its last 14 days, in the current
# directory: events ev.rse, requests r.rsq, the cut-off $t, and trained
# before it an item-kNN model k.rsk, a train matrix tr.rsm and an ALS
# model a.rsa; $n is the number of requests (fail, if the test defines
# it, unless there are more than 100).
rs-synth -q -s 0.03 -o gen
rs-load -q -o ev.rse gen/events.csv
rs-requests -q --since end-14d -o r.rsq ev.rse
t=$(rs-cat -m since r.rsq)
rs-knn-train -q --until "$t" -o k.rsk ev.rse
rs-interactions -q --until "$t" -o tr.rsm ev.rse
rs-als-train -q -f 8 -i 5 -o a.rsa tr.rsm
n=$(rs-cat -H r.rsq | wc -l)
[ "$n" -gt 100 ] || fail "only $n requests"
