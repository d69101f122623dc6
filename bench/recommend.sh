#!/bin/sh
# recommend.sh - benchmark of rs-recommend on generated data (issue #5).
#
#   sh bench/recommend.sh [dir]
#
# dir (default ${BENCH_DIR:-/tmp/rs-bench}/scale-1) holds, or gets, the
# scale-1 training matrix train.rsm (rs-synth, rs-load, rs-interactions as
# bench/als.sh makes it) and an f = 64 ALS model rec-model.rsa trained on
# it (3 iterations: speed does not depend on the quality).  Measures
# 10 000 visitors with K = 10 and --exclude-bought, and 10 000 --similar
# queries, with 1 and 2 threads, under /usr/bin/time -v: seconds (wall and
# CPU), visitors per second, peak RSS, and GFLOP/s of the score products
# (computed, and "effective": the products a full scan would take, which
# the norm-bound early stop skips, per CPU second) beside the same run's
# sgemm rate for the kernel's shape (the unit-test
# binary's sgemm-rate helper).  Then the model's neighbours table
# (rs-recommend --similar -a -f rsk -t 2, timed, kept as rec-similar.rsk
# while newer than the model) and --similar answered from it, and the
# latency of a single visitor and of a single similar-items query, with
# and without the table, once the model is loaded (its latency helper).  With BEFORE=/path/to/an
# older rs-recommend, its runs are interleaved with ours (RUNS each,
# default 3) and both medians printed.  Reference (implicit 0.7.3,
# same kind of machine): 4.7 s and 5.3 s; goal 1.7x faster, single
# visitor under 3 ms.  The machine is shared, so CPU time is the steadier
# figure; the load average is printed with the results.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
dir=${1:-${BENCH_DIR:-/tmp/rs-bench}/scale-1}
bin=$root/$O/bin
helper=$root/$O/tests/test_recommend
export OPENBLAS_NUM_THREADS=1
mkdir -p "$dir"

[ -x "$bin/rs-recommend" ] || { echo "recommend.sh: build first (make O=$O)" >&2; exit 1; }
# Reuses what bench/run or bench/als.sh left in dir; deletes nothing.
if [ ! -f "$dir/train.rsm" ]; then
	if [ ! -f "$dir/events.rse" ]; then
		if [ ! -f "$dir/csv/events.csv" ]; then
			echo "generating scale 1 data in $dir/csv"
			"$bin/rs-synth" -q -t 2 -s 1 -o "$dir/csv"
		fi
		"$bin/rs-load" -q -o "$dir/events.rse" "$dir/csv/events.csv"
	fi
	"$bin/rs-interactions" -q --until end-14d -o "$dir/train.rsm" \
	    "$dir/events.rse"
fi
# (a model from before the scan spaces, rs-stream(5), is trained again)
if ! "$bin/rs-cat" -m space_version "$dir/rec-model.rsa" >/dev/null 2>&1; then
	echo "training the f = 64 model (3 iterations)"
	"$bin/rs-als-train" -q -f 64 -i 3 -t 2 -o "$dir/rec-model.rsa" \
	    "$dir/train.rsm"
fi
m=$dir/rec-model.rsa
w=$(mktemp -d "${TMPDIR:-/tmp}/rs-bench-rec.XXXXXX")
trap 'rm -rf "$w"' EXIT INT TERM

# 10 000 visitors and 10 000 items spread over the model (rs-cat prints
# the "users" table first, then "items").
"$bin/rs-cat" "$m" | awk -v w="$w" '
	/^visitorid$/ { t = 1; next } /^itemid$/ { t = 2; next }
	/^factors/ { t = 0 }
	t == 1 { u[nu++] = $0 } t == 2 { it[ni++] = $0 }
	END {
		for (i = 0; i < 10000 && i < nu; i++)
			print u[int(i * (nu / 10000))] >(w "/users.txt")
		for (i = 0; i < 10000 && i < ni; i++)
			print it[int(i * (ni / 10000))] >(w "/items.txt")
	}'
"$bin/rs-cat" -i "$m" | awk -F'\t' '$1 == "table" && $2 ~ /s$/ { printf "%s %s; ", $2, $3 } END { print "f = 64" }'
if [ -x "$helper" ]; then
	echo "sgemm rate of the kernel's shape (256 x 1024 x 64, one core):" \
	    "$("$helper" sgemm-rate 256 1024 64) GFLOP/s per CPU second"
fi

# One line per binary: the median over $RUNS runs (interleaved with
# BEFORE's when set) of the answering rate (rs-recommend -v: visitors or
# items per second once loaded) and of the whole run's wall time.
RUNS=${RUNS:-3}
run() {	# label, then rs-recommend arguments
	label=$1; shift
	for r in $(seq "$RUNS"); do
		for b in ${BEFORE:+"$BEFORE"} "$bin/rs-recommend"; do
			/usr/bin/time -v "$b" -v -k 10 -m "$m" "$@" \
			    -o /dev/null 2>"$w/err" || { cat "$w/err"; exit 1; }
			awk -v b="$b" '
			    / per second/ { for (i = 1; i <= NF; i++)
				if ($(i+1) == "per") rate = $i }
			    /Maximum resident/ { rss = $NF }
			    /Elapsed \(wall/ { n = split($NF, p, ":");
				total = p[n] + (n > 1 ? 60 * p[n-1] : 0) }
			    END { print b, rate, total, rss }' "$w/err" >>"$w/runs"
		done
	done
	for b in ${BEFORE:+"$BEFORE"} "$bin/rs-recommend"; do
		awk -v b="$b" -v before="${BEFORE:-}" '$1 == b { r[n] = $2; t[n] = $3; m = $4; n++ }
		    function med(a, n,   i, j, x) {
			for (i = 1; i < n; i++) for (j = i; j > 0 && a[j-1] > a[j]; j--) {
			    x = a[j]; a[j] = a[j-1]; a[j-1] = x }
			return a[int((n - 1) / 2)] }
		    END { printf "%-30s %-10s %8.0f /s answering, %6.2f s whole run, peak %4.0f MB (median of %d)\n",
			L, (b == before ? "before" : "this"), med(r, n), med(t, n), m / 1024, n }' \
		    L="$label" "$w/runs"
	done
	rm -f "$w/runs"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
run "visitors --exclude-bought -t1" --exclude-bought "$dir/train.rsm" "$w/users.txt"
run "visitors --exclude-bought -t2" --exclude-bought "$dir/train.rsm" -t 2 "$w/users.txt"
run "similar -t1" --similar "$w/items.txt"
run "similar -t2" --similar -t 2 "$w/items.txt"
if [ ! "$dir/rec-similar.rsk" -nt "$m" ]; then
	/usr/bin/time -f "neighbours table, -f rsk -t 2: %e s wall, %U s user, peak %M KB" \
	    "$bin/rs-recommend" -q --similar -a -f rsk -t 2 -m "$m" \
	    -o "$dir/rec-similar.rsk"
fi
before=${BEFORE:-}
BEFORE=		# an older rs-recommend may not know --similar-table
run "similar -t1 --similar-table" --similar \
    --similar-table "$dir/rec-similar.rsk" "$w/items.txt"
BEFORE=$before
[ -x "$helper" ] && "$helper" latency "$m" "$dir/rec-similar.rsk"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "reference implicit 0.7.3: 4.7 s visitors, 5.3 s similar (floor about 2.3 s);" \
    "goal: 2.76 s and 3.12 s, a single visitor under 3 ms"
