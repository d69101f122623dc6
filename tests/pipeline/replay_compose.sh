# The composable replay (rs-recommend -r | rs-eval -r) against rs-replay
# on generated data: for the same blend and K the answer rows are the
# same bytes as rs-replay -a, -t 1 and -t 2 give the same bytes, and
# rs-eval prints exactly rs-replay's numbers for the baselines and the
# blend, whether the answers come as CSV, TSV or JSON Lines.  Last, the
# replay EXAMPLES of rs-recommend(1) and rs-eval(1) run as written.
set -eu
export OPENBLAS_NUM_THREADS=1
fail() { echo "FAIL: $*"; exit 1; }

rs-synth -q -s 0.03 -o gen
rs-load -q -o ev.rse gen/events.csv
rs-requests -q --since end-14d -o r.rsq ev.rse
t=$(rs-cat -m since r.rsq)
rs-knn-train -q --until "$t" -o k.rsk ev.rse
rs-interactions -q --until "$t" -o tr.rsm ev.rse
rs-als-train -q -f 8 -i 5 -o a.rsa tr.rsm
n=$(rs-cat -H r.rsq | wc -l)
[ "$n" -gt 100 ] || fail "only $n requests"

for b in recent:5,itemknn:5 recent:4,itemknn:3,als:3; do
	rs-replay -q -k 10 --format csv -r r.rsq -H ev.rse -n k.rsk \
	    -m a.rsa -b "$b" -a replay.csv >table.csv
	rs-recommend -k 10 -t 1 -r r.rsq -H ev.rse --knn k.rsk -m a.rsa \
	    --blend "$b" -o ans1.csv
	rs-recommend -k 10 -t 2 -r r.rsq -H ev.rse --knn k.rsk -m a.rsa \
	    --blend "$b" -o ans2.csv
	cmp ans1.csv ans2.csv || fail "$b: -t 1 and -t 2 answers differ"
	cmp ans1.csv replay.csv || fail "$b: answers differ from rs-replay -a"
	[ "$(wc -l <ans1.csv)" -gt "$n" ] || fail "$b: too few answer rows"
	# rs-replay's rows minus the single-model ones
	grep -v -e '^itemknn,' -e '^als,' table.csv >want.csv
	rs-recommend -k 10 -t 2 -r r.rsq -H ev.rse --knn k.rsk -m a.rsa \
	    --blend "$b" | rs-eval -f csv -k 10 -r r.rsq -H ev.rse -l "$b" - \
	    >got.csv
	cmp want.csv got.csv || { diff want.csv got.csv; fail "$b: numbers"; }
done

# the other answer formats read back to the same numbers
for f in tsv jsonl; do
	rs-recommend -k 10 -f $f -r r.rsq -H ev.rse --knn k.rsk -m a.rsa \
	    --blend "$b" -o ans.$f
	rs-eval -f csv -k 10 -r r.rsq -H ev.rse -l "$b" ans.$f >got.$f.csv
	cmp want.csv got.$f.csv || fail "$f answers score differently"
done

# als alone without fold-in, at two K: the als rows agree
rs-replay -q -k 5,10 --format csv --no-fold-in -r r.rsq -H ev.rse \
    -m a.rsa -b als >table.csv
rs-recommend -k 10 --no-fold-in -r r.rsq -H ev.rse -m a.rsa --blend als \
    -o als.csv
rs-eval -q -f csv -k 5,10 -r r.rsq -H ev.rse -l als als.csv >got.csv
grep '^als,' table.csv | head -4 >want.csv
grep '^als,' got.csv >got_als.csv
cmp want.csv got_als.csv || { diff want.csv got_als.csv; fail "als rows"; }

# the EXAMPLES blocks that replay (they mention requests.rsq), as pasted
for page in rs-recommend rs-eval; do
	mkdir "ex-$page"
	awk '/^\.Sh EXAMPLES/ {ex = 1} /^\.Sh SEE ALSO/ {ex = 0}
	    ex && /^\.Bd -literal/ {on = 1; b = ""; next}
	    on && /^\.Ed/ {on = 0; if (b ~ /requests\.rsq/) printf "%s", b; next}
	    on {gsub(/\\e/, "\\"); b = b $0 "\n"}' \
	    "$ROOT/man/$page.1" >"ex-$page/ex.sh"
	[ "$(wc -l <"ex-$page/ex.sh")" -gt 5 ] || fail "$page: no example"
	(cd "ex-$page" && sh -eu ex.sh >out.txt 2>err.txt) ||
	    { tail "ex-$page/err.txt"; fail "$page example failed"; }
	grep -q '^recent  *discovery ' "ex-$page/out.txt" ||
	    fail "$page example printed no table"
done
exit 0
