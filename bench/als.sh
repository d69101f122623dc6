#!/bin/sh
# als.sh - benchmark of rs-als-train on generated data (issue #4).
#
#   sh bench/als.sh [scale] [iterations]
#
# Generates Retailrocket-shaped data with rs-synth at the given scale
# (default 1: about 1.3 M visitors x 260 k items, 2 M nonzeros in the
# training matrix), cached under ${BENCH_DIR:-/tmp/rs-bench}; measures the
# machine's sgemm rate with bench/sgemm.c (1 and 2 threads); then trains
# with --solver cg and --solver exact (f = 64, 2 threads) under
# /usr/bin/time -v and prints seconds per iteration (wall and CPU), the
# achieved GFLOP/s, peak RSS and the final loss of each.  The machine is
# shared, so wall times are noisy: CPU time (user + sys) is the steadier
# figure, and the load average is printed with the results.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
scale=${1:-1}
iters=${2:-15}
dir=${BENCH_DIR:-/tmp/rs-bench}/scale-$scale
bin=$root/$O/bin
export OPENBLAS_NUM_THREADS=1
mkdir -p "$dir"

[ -x "$bin/rs-als-train" ] || { echo "als.sh: build first (make O=$O)" >&2; exit 1; }
if [ ! -f "$dir/train.rsm" ]; then
	# The generated CSV is shared with the other benchmarks (bench/run).
	if [ ! -f "$dir/csv/events.csv" ]; then
		echo "generating scale $scale data in $dir"
		"$bin/rs-synth" -q -t 2 -s "$scale" -o "$dir/csv"
	fi
	"$bin/rs-load" -q -o "$dir/events.rse" "$dir/csv/events.csv"
	"$bin/rs-interactions" -q --until end-14d -o "$dir/train.rsm" \
	    "$dir/events.rse"
fi
"$bin/rs-cat" -i "$dir/train.rsm" | awk -F'\t' '$1 == "table" { printf "%s %s; ", $2, $3 } END { print "" }'

cc -O2 -o "$dir/sgemm" "$root/bench/sgemm.c" \
    $(pkg-config --cflags --libs openblas 2>/dev/null || echo -lopenblas) -lpthread
"$dir/sgemm" 1
"$dir/sgemm" 2

for s in cg exact; do
	/usr/bin/time -v "$bin/rs-als-train" -v --loss -t 2 -f 64 -i "$iters" \
	    -s "$s" -o "$dir/model-$s.rsa" "$dir/train.rsm" 2>"$dir/log-$s"
	awk -v s="$s" '
	/iteration [0-9]+: [0-9.]+ s wall/ {
		n++; w += $4; c += $7; g += $(NF - 5); gc += $(NF - 3)
	}
	/: loss / { loss = $NF }
	/User time/ { u = $NF } /System time/ { sy = $NF }
	/Elapsed \(wall/ { el = $NF }
	/Maximum resident/ { rss = $NF }
	END {
		printf "%s: %d iterations, %.3f s/iteration wall, %.3f s/iteration cpu, %.1f GFLOP/s wall, %.1f GFLOP per cpu-s, final loss %s\n", s, n, w / n, c / n, g / n, gc / n, loss
		printf "%s: whole run %s wall, %.2f s user+sys, peak RSS %.0f MB\n", s, el, u + sy, rss / 1024
	}' "$dir/log-$s"
done
uptime
