#!/bin/sh
# The category source on generated data (rs-synth -s 0.03):
#  - its rows are the definition's, computed independently from the CSV
#    files (category_reference.py): categories at t from categoryid
#    snapshots (-A) with the tree's back-off, and from an item table (-i);
#  - prefix consistency of blends with category (K = 10 is the top of
#    K = 50) and determinism (-t 1 and -t 2, rs-answer = rs-replay -a);
#  - on this data the category source finds discovery targets (hit@10
#    well above the popular list's).
set -eu
export OPENBLAS_NUM_THREADS=1
fail() { echo "FAIL: $*"; exit 1; }

. "$ROOT/tests/data/replay/generated.sh"
# the categoryid snapshots alone (availability would filter too)
awk -F, 'NR == 1 || (FNR > 1 && $3 == "categoryid")' \
    gen/item_properties_part1.csv gen/item_properties_part2.csv >cats.csv
rs-load -q -o cats.rse cats.csv
rs-load -q -o tree.rse gen/category_tree.csv
rs-cat -H r.rsq >r.csv

rs-replay -q -k 20 -r r.rsq -H ev.rse -A cats.rse --tree tree.rse \
    -b category -a a.csv >/dev/null
python3 "$ROOT/tests/pipeline/category_reference.py" gen/events.csv r.csv \
    a.csv 20 props cats.csv gen/category_tree.csv || fail "-A --tree"
rs-replay -q -k 20 -r r.rsq -H ev.rse -A cats.rse -b category -a a.csv \
    >/dev/null
python3 "$ROOT/tests/pipeline/category_reference.py" gen/events.csv r.csv \
    a.csv 20 props cats.csv || fail "-A without a tree"
rs-load -q -o p1.rse gen/item_properties_part1.csv
rs-load -q -o p2.rse gen/item_properties_part2.csv
rs-clean-items -q -a "$t" -t tree.rse -o items.rse p1.rse p2.rse
rs-cat items.rse | awk -F, 'NR > 1 && $1 == "categoryid" { exit } { print }' >items.csv
rs-replay -q -k 20 -r r.rsq -H ev.rse -i items.rse --tree tree.rse \
    -b category -a a.csv >/dev/null
python3 "$ROOT/tests/pipeline/category_reference.py" gen/events.csv r.csv \
    a.csv 20 table items.csv gen/category_tree.csv || fail "-i --tree"

# item-kNN trained inside the replay (--knn-every swaps the engine per
# period) keeps the categories: the same category rows as without it
rs-replay -q -k 20 -r r.rsq -H ev.rse -A cats.rse --tree tree.rse \
    --knn-every 6h -b category -a a6h.csv >/dev/null
python3 "$ROOT/tests/pipeline/category_reference.py" gen/events.csv r.csv \
    a6h.csv 20 props cats.csv gen/category_tree.csv || fail "--knn-every 6h"

top10() { awk -F, 'NR == 1 || $4 <= 10' "$1"; }
for b in category:3 recent:5,category:3,itemknn:2,popular:0 \
    recent:5,itemknn:5,category:0,popular:0 category:2,als:2,recent:1; do
	rs-replay -q -k 50 -r r.rsq -H ev.rse -n k.rsk -m a.rsa -A cats.rse \
	    --tree tree.rse -b "$b" -a big.csv >/dev/null
	rs-replay -q -k 10 -t 2 -r r.rsq -H ev.rse -n k.rsk -m a.rsa \
	    -A cats.rse --tree tree.rse -b "$b" -a small.csv >/dev/null
	grep -q ',category$' small.csv || fail "$b: no category row"
	top10 big.csv | cmp -s - small.csv ||
	    fail "$b: top 10 of K = 50 (-t 1) is not the K = 10 answer (-t 2)"
done
rs-answer -k 10 -t 2 -r r.rsq -H ev.rse -n k.rsk -m a.rsa -A cats.rse \
    --tree tree.rse -b category:2,als:2,recent:1 -o ans.csv
cmp ans.csv small.csv || fail "rs-answer rows differ from rs-replay -a"

# discovery: the category source alone finds far more discovery targets
# than the popular items do (categories carry information here)
rs-replay -q -k 10 -r r.rsq -H ev.rse -A cats.rse --tree tree.rse \
    -b category --format csv -o t.csv
awk -F, '$2 == "discovery" && $1 == "popular" { p = $5 }
    $2 == "discovery" && $1 == "category" { c = $5 }
    END { print "discovery hit@10: popular", p, "category", c
	exit !(c > 2 * p && c > 0.1) }' t.csv || fail "category no better"
