# The golden streams of every released format version stay readable by the
# typed readers that consume them, not only by rs-cat: a matrix trains, an
# ALS and a popular model recommend, an item table filters.
set -eu
for v in "$ROOT"/tests/data/streams/*/; do
	rs-als-train -q -f 2 -i 1 -o m.rsa "$v/matrix.rsm"
	rs-recommend -q -m "$v/model-als.rsa" --fallback "$v/model-popular.rsa" \
	    --all -k 2 >recs.csv
	[ "$(head -n 1 recs.csv)" = "user,item,rank,score,source" ] ||
	    { echo "$v: unexpected recommendation header"; exit 1; }
	[ "$(wc -l <recs.csv)" -gt 1 ] || { echo "$v: no recommendations"; exit 1; }
	rs-recommend -q -m "$v/model-popular.rsa" --items "$v/items.rsi" \
	    -k 3 </dev/null >/dev/null
	echo "$v: ok"
done
