# A raw ALS model carries the engine's scan spaces (rs-stream(5),
# "Scan spaces"); a --compress one does not and the engine builds them.
# On generated data (enough items for several build slices), both give the
# same bytes everywhere the spaces are used: rs-recommend's lists (known
# visitors, --similar, fold-in and the online source through rs-answer) at
# -t 1 and -t 3 (the engine building the spaces of the --compress model in
# one slice or three).  test_model checks the spaces byte for byte.
set -eu
fail() { echo "FAIL: $*"; exit 1; }

rs-synth -q -s 0.1 -o csv
rs-load -q -o ev.rse csv/events.csv
rs-interactions -q --until end-7d -o train.rsm ev.rse
rs-als-train -q -f 16 -i 2 -o raw.rsa train.rsm
rs-als-train -q -f 16 -i 2 --compress -o packed.rsa train.rsm

rs-cat -i raw.rsa >raw.info
rs-cat -i packed.rsa >packed.info
for k in dot cos; do
	for t in order norm vectors q8 qscale qnorm qerror mean; do
		grep -q "^table	${k}_$t	" raw.info ||
		    fail "raw model without ${k}_$t"
		! grep -q "^table	${k}_$t	" packed.info ||
		    fail "--compress model with ${k}_$t"
	done
done
grep -q '^meta	space_version	1$' raw.info || fail "no space_version"
n=$(awk -F'\t' '$1 == "table" && $2 == "items" {print $3 + 0}' raw.info)
[ "$n" -gt 16384 ] || fail "only $n items: one build slice"

rs-cat raw.rsa | awk '/^visitorid$/ {t = 1; next} /^itemid$/ {t = 2; next}
    /^factors/ {t = 0} t == 1 && NR % 37 == 0 {print >"visitors"}
    t == 2 && NR % 53 == 0 {print >"items"}'
[ -s visitors ] && [ -s items ] || fail "no ids"
for t in 1 3; do
	rs-recommend -t $t -k 20 -m raw.rsa visitors >r-raw-$t.csv
	rs-recommend -t $t -k 20 -m packed.rsa visitors >r-packed-$t.csv
	cmp r-raw-$t.csv r-packed-$t.csv || fail "visitors differ at -t $t"
	rs-recommend -t $t --similar -k 20 -m raw.rsa items >s-raw-$t.csv
	rs-recommend -t $t --similar -k 20 -m packed.rsa items \
	    >s-packed-$t.csv
	cmp s-raw-$t.csv s-packed-$t.csv || fail "similar differ at -t $t"
done
cmp r-raw-1.csv r-raw-3.csv
rs-recommend -v -k 1 -m raw.rsa visitors 2>&1 >/dev/null |
    grep -q 'scan spaces stored' || fail "raw model: spaces not used"
rs-recommend -v -k 1 -m packed.rsa visitors 2>&1 >/dev/null |
    grep -q 'scan spaces built' || fail "packed model: spaces not built"
[ "$(wc -l <r-raw-1.csv)" -gt 100 ] || fail "few rows"

# fold-in and the online source (the cosine space) in a replay
rs-requests -q --since end-7d -o q.rsq ev.rse
for m in raw packed; do
	rs-answer -k 10 -m $m.rsa -b recent:3,als:4,online:3 -r q.rsq \
	    -H ev.rse -o a-$m.csv
done
cmp a-raw.csv a-packed.csv || fail "replay answers differ"
[ "$(wc -l <a-raw.csv)" -gt 100 ] || fail "few answer rows"
echo "ok: $n items, spaces stored = spaces built"
