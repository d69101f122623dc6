# The composable replay (rs-answer | rs-eval -r) against rs-replay
# on generated data: for the same blend and K the answer rows are the
# same bytes as rs-replay -a, -t 1 and -t 2 give the same bytes, and
# rs-eval prints exactly rs-replay's numbers for the baselines and the
# blend, whether the answers come as CSV, TSV or JSON Lines.  With -A,
# --popular-window and the itemknn context options the answers are still
# rs-replay -a's bytes, and with --knn-daily too.  Last, the replay EXAMPLES of rs-answer(1) and
# rs-eval(1) run as written, and so does the serving example (requests
# of rs-requests --visitors).
set -eu
export OPENBLAS_NUM_THREADS=1
fail() { echo "FAIL: $*"; exit 1; }

. "$ROOT/tests/data/replay/generated.sh"

for b in recent:5,itemknn:5 recent:4,itemknn:3,als:3; do
	rs-replay -q -k 10 --format csv -r r.rsq -H ev.rse -n k.rsk \
	    -m a.rsa -b "$b" -a replay.csv >table.csv
	rs-answer -k 10 -t 1 -r r.rsq -H ev.rse -n k.rsk -m a.rsa \
	    -b "$b" -o ans1.csv
	rs-answer -k 10 -t 2 -r r.rsq -H ev.rse -n k.rsk -m a.rsa \
	    -b "$b" -o ans2.csv
	cmp ans1.csv ans2.csv || fail "$b: -t 1 and -t 2 answers differ"
	cmp ans1.csv replay.csv || fail "$b: answers differ from rs-replay -a"
	[ "$(wc -l <ans1.csv)" -gt "$n" ] || fail "$b: too few answer rows"
	# rs-replay's rows minus the single-model ones
	grep -v -e '^itemknn,' -e '^als,' table.csv >want.csv
	rs-answer -k 10 -t 2 -r r.rsq -H ev.rse -n k.rsk -m a.rsa \
	    -b "$b" | rs-eval -f csv -k 10 -r r.rsq -H ev.rse -l "$b" - \
	    >got.csv
	cmp want.csv got.csv || { diff want.csv got.csv; fail "$b: numbers"; }
done

# the other answer formats read back to the same numbers
for f in tsv jsonl; do
	rs-answer -k 10 -f $f -r r.rsq -H ev.rse -n k.rsk -m a.rsa \
	    -b "$b" -o ans.$f
	rs-eval -f csv -k 10 -r r.rsq -H ev.rse -l "$b" ans.$f >got.$f.csv
	cmp want.csv got.$f.csv || fail "$f answers score differently"
done

# als alone without fold-in, at two K: the als rows agree
rs-replay -q -k 5,10 --format csv --no-fold-in -r r.rsq -H ev.rse \
    -m a.rsa -b als >table.csv
rs-answer -k 10 --no-fold-in -r r.rsq -H ev.rse -m a.rsa -b als \
    -o als.csv
rs-eval -q -f csv -k 5,10 -r r.rsq -H ev.rse -l als als.csv >got.csv
grep '^als,' table.csv | head -4 >want.csv
grep '^als,' got.csv >got_als.csv
cmp want.csv got_als.csv || { diff want.csv got_als.csv; fail "als rows"; }

# the answering options rs-replay has: the same bytes as rs-replay -a with
# them, and other bytes than without them (so that an option ignored by
# both could not pass)
rs-load -q -o p1.rse gen/item_properties_part1.csv
rs-load -q -o p2.rse gen/item_properties_part2.csv
same() {	# name, rs-replay options, rs-answer options (word-split)
	# shellcheck disable=SC2086
	rs-replay -q -k 10 -r r.rsq -H ev.rse $2 -a replay.csv >/dev/null
	# shellcheck disable=SC2086
	rs-answer -k 10 -t 2 -r r.rsq -H ev.rse $3 -o got.csv
	cmp got.csv replay.csv || fail "$1: answers differ from rs-replay -a"
	[ "$(wc -l <got.csv)" -gt "$n" ] || fail "$1: too few answer rows"
}
b=recent:4,itemknn:3,als:3
rs-answer -k 10 -r r.rsq -H ev.rse -n k.rsk -m a.rsa -b $b \
    -o plain.csv
same -A "-n k.rsk -m a.rsa -b $b -A p1.rse -A p2.rse" \
    "-n k.rsk -m a.rsa -b $b -A p1.rse -A p2.rse"
! cmp -s got.csv plain.csv || fail "-A: the answers of no -A"
rs-answer -k 10 -r r.rsq -H ev.rse -o plain.csv
same --popular-window "-b recent:5,popular:5 --popular-window 1d" \
    "--popular-window 1d"
! cmp -s got.csv plain.csv || fail "--popular-window: the answers of none"
rs-answer -k 10 -r r.rsq -H ev.rse -n k.rsk -b itemknn \
    -o plain.csv
same --knn-context "-n k.rsk -b itemknn --knn-context 2 --knn-decay 0.3" \
    "-n k.rsk -b itemknn --knn-context 2 --knn-decay 0.3"
! cmp -s got.csv plain.csv || fail "--knn-context: the default answers"

rs-answer -k 10 -r r.rsq -H ev.rse -o plain.csv
same --knn-daily "--knn-daily -m a.rsa -b recent:4,itemknn:3,als:3" \
    "--knn-daily -m a.rsa -b recent:4,itemknn:3,als:3"
! cmp -s got.csv plain.csv || fail "--knn-daily: the default answers"

# the EXAMPLES blocks that replay (they mention requests.rsq), as pasted
for page in rs-answer rs-eval; do
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

# the serving example of rs-answer(1), on models of every event: an
# answer for nearly every visitor of the last 30 days, the bytes of
# rs-replay -a on those requests
mkdir ex-serve
awk '/^\.Sh EXAMPLES/ {ex = 1} /^\.Sh SEE ALSO/ {ex = 0}
    ex && /^\.Bd -literal/ {on = 1; b = ""; next}
    on && /^\.Ed/ {on = 0; if (b ~ /now\.rsq/) printf "%s", b; next}
    on {gsub(/\\e/, "\\"); b = b $0 "\n"}' \
    "$ROOT/man/rs-answer.1" >ex-serve/ex.sh
grep -q -e '--visitors' ex-serve/ex.sh || fail "no serving example"
cp ev.rse ex-serve/events.rse
cp p1.rse ex-serve/props1.rse
cp p2.rse ex-serve/props2.rse
rs-knn-train -q -o ex-serve/knn.rsk ev.rse
rs-interactions -q -o all.rsm ev.rse
rs-als-train -q -f 8 -i 5 -o ex-serve/als.rsa all.rsm
(cd ex-serve && sh -eu ex.sh >out.txt 2>err.txt) ||
    { tail ex-serve/err.txt; fail "serving example failed"; }
nv=$(rs-cat -H ex-serve/now.rsq | wc -l)
[ "$(rs-cat -m event ex-serve/now.rsq)" = none ] || fail "not --visitors"
na=$(sed 1d ex-serve/recs.csv | cut -d, -f1 | sort -u | wc -l)
[ "$nv" -gt 1000 ] && [ "$na" -gt $((nv * 9 / 10)) ] ||
    fail "serving: $na of $nv visitors answered"
(cd ex-serve && rs-replay -q -k 10 -r now.rsq -H events.rse -m als.rsa \
    -n knn.rsk -A props1.rse -A props2.rse -a replay.csv >/dev/null)
cmp ex-serve/recs.csv ex-serve/replay.csv ||
    fail "serving: answers differ from rs-replay -a"
exit 0
