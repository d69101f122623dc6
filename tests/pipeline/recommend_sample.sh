# The real Retailrocket events sample through the whole chain: rs-load,
# rs-clean-items, rs-interactions (train before the last 14 days, purchases
# of train, add-to-cart test after), rs-als-train (ALS and popular), then
# rs-recommend with every filter.  Checks what must hold whatever the BLAS:
# K rows per visitor with ranks 1..K, never a bought item, only available
# items under --items, cold-start rows marked popular, the same bytes for
# any --threads, online rows with --recent, similar items without the
# query item.
set -eu
d=${RS_DATA:-}
if [ ! -f "$d/events_sample_5000_visitors.csv" ] ||
    [ ! -f "$d/category_tree.csv" ] ||
    [ ! -f "$d/item_properties_part1_sample.csv" ]; then
	echo "skip: Retailrocket samples not found in '$d'" >&2
	exit 77
fi
fail() { echo "FAIL: $*"; exit 1; }

rs-load -q -o events.rse "$d/events_sample_5000_visitors.csv"
rs-load -q -o tree.rse "$d/category_tree.csv"
rs-load -q -o props.rse "$d/item_properties_part1_sample.csv" \
    "$d/item_properties_part2_sample.csv"
rs-clean-items -q -o items.rsi -t tree.rse props.rse
rs-clean-items -q --csv -t tree.rse props.rse >items.csv
rs-interactions -q --until end-14d -o train.rsm events.rse
rs-interactions -q --until end-14d -e transaction -o bought.rsm events.rse
rs-interactions -q --until end-14d -e transaction --csv events.rse >bought.csv
rs-interactions -q --since end-14d -e addtocart -o test.rsm events.rse
rs-als-train -q -f 8 -i 5 -o model.rsa train.rsm
rs-als-train -q -m popular -o pop.rsa train.rsm

# Test visitors, bought items excluded.
rs-recommend -k 10 -m model.rsa --fallback pop.rsa \
    --exclude-bought bought.rsm --users-from test.rsm -o recs.csv
[ "$(head -n 1 recs.csv)" = "user,item,rank,score,source" ] ||
    fail "header: $(head -n 1 recs.csv)"
awk -F, 'NR > 1 {
	if ($1 != u) { if (u != "" && n != 10) bad++; u = $1; n = 0 }
	n++
	if ($3 != n) bad++
	if ($5 != "als" && $5 != "popular") bad++
	users[$1] = 1
} END { if (n != 10) bad++; exit bad > 0 }' recs.csv ||
    fail "not 10 rows with ranks 1..10 per visitor"
[ "$(tail -n +2 recs.csv | cut -d, -f1 | uniq | wc -l)" -gt 0 ] ||
    fail "no visitors"
grep -q ',popular$' recs.csv || fail "no cold-start rows"
grep -q ',als$' recs.csv || fail "no model rows"
# No (visitor, item) pair of the purchases.
awk -F, 'NR == FNR { if (FNR > 1) b[$1 "," $2] = 1; next }
    FNR > 1 && (($1 "," $2) in b) { print; bad = 1 } END { exit bad }' \
    bought.csv recs.csv >leaked.txt || fail "bought items recommended: $(head -3 leaked.txt)"

# Threads do not change a byte.
rs-recommend -k 10 -m model.rsa --fallback pop.rsa --exclude-bought bought.rsm \
    --users-from test.rsm -t 3 -o recs3.csv
cmp recs.csv recs3.csv || fail "--threads 3 differs"

# Only available items under --items.
rs-recommend -q -k 5 -m model.rsa --fallback pop.rsa --items items.rsi \
    --users-from test.rsm -o avail.csv
awk -F, 'NR == FNR { if (FNR > 1 && $4 == 1) a[$1] = 1; next }
    FNR > 1 && !($2 in a) { print; bad = 1 } END { exit bad }' \
    items.csv avail.csv >unavail.txt || fail "unavailable items: $(head -3 unavail.txt)"

# Blending and fold-in with the whole sample as recent events.
rs-recommend -k 10 -m model.rsa --fallback pop.rsa --recent events.rse \
    --fold-in --train train.rsm --users-from test.rsm -o online.csv
grep -q ',online$' online.csv || fail "no online rows"

# Similar items: never the query item itself, ranks in order.
rs-recommend -k 5 -m model.rsa --similar --all -o similar.csv
awk -F, 'NR > 1 && $1 == $2 { bad = 1 } END { exit bad }' similar.csv ||
    fail "an item similar to itself"
echo "ok: $(($(wc -l <recs.csv) - 1)) rows"
