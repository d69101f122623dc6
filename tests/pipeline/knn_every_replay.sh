# rs-replay / rs-answer --knn-every on generated data: each period's
# item-kNN, trained incrementally, answers exactly as a model trained
# from scratch with rs-knn-train --until <period start> (checked for a
# few hours with requests); --knn-every 1d is --knn-daily byte for
# byte; any -t gives the same bytes; rs-recommend -r passes it on; and
# hourly models answer differently from daily ones (so the check above
# is not vacuous).
set -eu
export OPENBLAS_NUM_THREADS=1
fail() { echo "FAIL: $*"; exit 1; }

rs-synth -q -s 0.005 -o gen
rs-load -q -o ev.rse gen/events.csv
rs-requests -q -o r.rsq ev.rse
n=$(rs-cat -H r.rsq | wc -l)
[ "$n" -gt 50 ] || fail "only $n requests"

rs-answer -q -k 10 -b itemknn:10 --knn-every 1h -r r.rsq -H ev.rse \
    -o hourly.csv
rs-answer -q -k 10 -b itemknn:10 --knn-every 1h -t 2 -r r.rsq -H ev.rse \
    -o hourly2.csv
cmp hourly.csv hourly2.csv || fail "--threads changed the answers"
rs-recommend -q -k 10 -b itemknn:10 --knn-every 1h -r r.rsq -H ev.rse \
    -o rec.csv
cmp hourly.csv rec.csv || fail "rs-recommend -r answered otherwise"
rs-answer -q -k 10 -b itemknn:10 --knn-daily -r r.rsq -H ev.rse \
    -o daily.csv
! cmp -s hourly.csv daily.csv || fail "hourly and daily models agree"
[ "$(grep -c ',itemknn$' hourly.csv)" -gt 100 ] || fail "few itemknn rows"

# From scratch, for the hours of 12 requests spread over the run: the
# requests of that hour, answered with rs-knn-train --until <hour>, are the hourly
# run's rows of those requests (ids shifted by the requests before).
checked=0
for j in 0 1 2 3 4 5 6 7 8 9 10 11; do
	i=$((1 + j * (n - 1) / 11))
	ts=$(rs-cat r.rsq | awk -F, -v i="$i" 'NR == i + 1 { print $3 }')
	h=$((ts / 3600000 * 3600000))
	rs-requests -q --since "$h" --until $((h + 3600000)) -o h.rsq ev.rse
	before=$(rs-requests -q --until "$h" ev.rse |
	    rs-cat -H | wc -l)
	rs-knn-train -q --until "$h" -o h.rsk ev.rse
	rs-answer -q -k 10 -b itemknn:10 -n h.rsk -r h.rsq -H ev.rse \
	    -o h.csv
	m=$(rs-cat -H h.rsq | wc -l)
	awk -F, -v b="$before" 'NR > 1 { $1 = $1 + b; print }' OFS=, \
	    h.csv >want.csv
	awk -F, -v b="$before" -v m="$m" 'NR > 1 && $1 > b && $1 <= b + m' \
	    hourly.csv >got.csv
	cmp want.csv got.csv || fail "hour $h: from scratch differs"
	checked=$((checked + $(wc -l <got.csv)))
done
[ "$checked" -gt 50 ] || fail "only $checked rows compared"

# --knn-every 1d is --knn-daily: table and answers
rs-replay -q -k 10,20 --knn-every 1d --format csv -r r.rsq -H ev.rse \
    -a a1.csv >t1.csv
rs-replay -q -k 10,20 --knn-daily --format csv -r r.rsq -H ev.rse \
    -a a2.csv >t2.csv
cmp t1.csv t2.csv && cmp a1.csv a2.csv || fail "1d is not --knn-daily"
echo "ok: $n requests, $checked rows equal to training from scratch"
