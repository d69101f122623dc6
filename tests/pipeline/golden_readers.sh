# The golden streams of every released format version stay readable by the
# typed readers that consume them, not only by rs-cat: a matrix trains, an
# ALS and a popular model recommend, an item table filters.  A version
# holds only the kinds it changed (2.0: the models); the older version's
# streams stand in for the rest.  Models of one training in two versions
# recommend the same bytes.
set -eu
prev=
for v in "$ROOT"/tests/data/streams/*/; do
	m=$v; i=$v
	[ -f "$v/matrix.rsm" ] || m=$prev
	[ -f "$v/items.rsi" ] || i=$prev
	rs-als-train -q -f 2 -i 1 -o m.rsa "$m/matrix.rsm"
	rs-recommend -q -m "$v/model-als.rsa" --fallback "$v/model-popular.rsa" \
	    --all -k 2 >recs.csv
	[ "$(head -n 1 recs.csv)" = "user,item,rank,score,source" ] ||
	    { echo "$v: unexpected recommendation header"; exit 1; }
	[ "$(wc -l <recs.csv)" -gt 1 ] || { echo "$v: no recommendations"; exit 1; }
	rs-recommend -q -m "$v/model-popular.rsa" --items "$i/items.rsi" \
	    -k 3 </dev/null >/dev/null
	if [ -n "$prev" ]; then
		cmp recs.csv prev.csv ||
		    { echo "$v: other recommendations than $prev"; exit 1; }
	fi
	for z in "$v"/model-*-zstd.rsa; do
		[ -f "$z" ] || continue
		rs-recommend -q -m "$z" --fallback "$v/model-popular.rsa" \
		    --all -k 2 | cmp - recs.csv ||
		    { echo "$z: other recommendations"; exit 1; }
	done
	mv recs.csv prev.csv
	prev=$v
	echo "$v: ok"
done
