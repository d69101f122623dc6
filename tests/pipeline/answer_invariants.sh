#!/bin/sh
# Two promises of every answer (rs(7)), on generated data:
#  - prefix consistency: for every source and blend, with and without
#    filters, the first 10 rows of each K = 50 answer are the K = 10
#    answer (rs-replay -a and rs-answer alike);
#  - determinism: an answer depends only on its inputs and flags, not on
#    the thread count, not on unrelated options (--knn-daily, other -b
#    rows) and not on the requests around it (a request answered alone
#    gets the rows it got among all the others).
set -eu
export OPENBLAS_NUM_THREADS=1
fail() { echo "FAIL: $*"; exit 1; }

. "$ROOT/tests/data/replay/generated.sh"
rs-load -q -o p1.rse gen/item_properties_part1.csv
rs-als-train -q -m popular -o p.rsa tr.rsm

# rows of rank <= 10 of an answer file (CSV: request,visitor,item,rank,...)
top10() { awk -F, 'NR == 1 || $4 <= 10' "$1"; }

checked=0
for filt in "" "-A p1.rse" "--keep-bought"; do
	for b in recent itemknn als popular recent:5,itemknn:5 \
	    recent:4,itemknn:3,als:3 recent:3,itemknn:2,popular:0 \
	    als:1,popular:0 itemknn:2,recent:1,als:1; do
		# shellcheck disable=SC2086
		rs-replay -q -k 50 -r r.rsq -H ev.rse -n k.rsk -m a.rsa $filt \
		    -b "$b" -a big.csv >/dev/null
		# shellcheck disable=SC2086
		rs-replay -q -k 10 -r r.rsq -H ev.rse -n k.rsk -m a.rsa $filt \
		    -b "$b" -a small.csv >/dev/null
		[ "$(wc -l <small.csv)" -gt "$n" ] || fail "$b $filt: few rows"
		top10 big.csv | cmp -s - small.csv ||
		    { top10 big.csv | diff - small.csv | head;
		    fail "$b $filt: top 10 of K = 50 is not the K = 10 answer"; }
		checked=$((checked + 1))
	done
done
# rs-answer, with a trained popular model and the -p source
rs-answer -k 50 -r r.rsq -H ev.rse -p p.rsa -m a.rsa \
    -b recent:2,als:2,popular:1 -o big.csv
rs-answer -k 10 -r r.rsq -H ev.rse -p p.rsa -m a.rsa \
    -b recent:2,als:2,popular:1 -o small.csv
top10 big.csv | cmp -s - small.csv || fail "rs-answer: not a prefix"
[ "$checked" -eq 27 ] || fail "checked $checked cases"

# determinism: threads, --knn-daily, another -b row
rs-replay -q -k 20 -r r.rsq -H ev.rse -m a.rsa -b als -a one.csv >/dev/null
rs-replay -q -k 20 -t 2 -r r.rsq -H ev.rse -m a.rsa -b als -a two.csv \
    >/dev/null
cmp one.csv two.csv || fail "als answers differ between -t 1 and -t 2"
rs-replay -q -k 20 -r r.rsq -H ev.rse -m a.rsa --knn-daily \
    -b als -b recent:5,itemknn:5 --answers-of als -a daily.csv >/dev/null
cmp one.csv daily.csv || fail "--knn-daily changed the als rows"
rs-answer -k 20 -t 2 -r r.rsq -H ev.rse -m a.rsa -b als -o rec.csv
cmp one.csv rec.csv || fail "rs-answer als rows differ"
# requests answered alone (a stream of the requests of one millisecond)
# get the rows they got among all the others
rs-cat -H r.rsq | awk -F, 'NR % 37 == 1 { print $3 }' | sort -u >ts.txt
[ "$(wc -l <ts.txt)" -gt 3 ] || fail "only $(wc -l <ts.txt) requests"
: >alone.csv
while read -r ts; do
	rs-requests -q --since "$ts" --until $((ts + 1)) -o q1.rsq ev.rse
	rs-answer -k 20 -r q1.rsq -H ev.rse -m a.rsa -b als \
	    -o a1.csv
	sed 1d a1.csv | cut -d, -f2- >>alone.csv
done <ts.txt
rs-cat -H r.rsq | awk -F, 'NR == FNR { t[$1] = 1; next } ($3 in t) {
    print $1 }' ts.txt - >ids.txt
awk -F, 'NR == FNR { want[$1] = 1; next } FNR > 1 && ($1 in want)' \
    ids.txt one.csv | cut -d, -f2- >among.csv
[ -s among.csv ] || fail "no rows of the picked requests"
cmp alone.csv among.csv || { diff alone.csv among.csv | head;
    fail "a request answered alone differs"; }
exit 0
