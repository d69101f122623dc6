#!/bin/sh
# eval.sh - benchmark of rs-eval over about 1 M recommendation rows
# (issue #6).
#
#   sh bench/eval.sh [scale] [rows]
#
# Generates Retailrocket-shaped data with rs-synth at the given scale
# (default 0.5), cached under ${BENCH_DIR:-/tmp/rs-bench}, and splits it
# like the offline protocol: train.rsm = events before the last 14 days,
# test.rsm = addtocart events in them.  Then writes recommendation files
# of `rows` rows (default 1000000; 20 a visitor, every test visitor first,
# then other training visitors; items drawn from the training columns with
# a popularity skew; rows in random order) as CSV and JSON Lines, and runs
# rs-eval on each under /usr/bin/time -v at K = 5,10,20 with --train, then
# both files at once as a side-by-side run.  Prints wall and CPU seconds
# and peak RSS.  The machine is shared, so wall times are noisy: CPU time
# (user + sys) is the steadier figure.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
scale=${1:-0.5}
rows=${2:-1000000}
dir=${BENCH_DIR:-/tmp/rs-bench}/scale-$scale
bin=$root/$O/bin
mkdir -p "$dir"

[ -x "$bin/rs-eval" ] || { echo "eval.sh: build first (make O=$O)" >&2; exit 1; }
if [ ! -f "$dir/events.rse" ]; then
	# The generated CSV is shared with the other benchmarks (bench/run).
	if [ ! -f "$dir/csv/events.csv" ]; then
		echo "generating scale $scale data in $dir"
		"$bin/rs-synth" -q -t 2 -s "$scale" -o "$dir/csv"
	fi
	"$bin/rs-load" -q -o "$dir/events.rse" "$dir/csv/events.csv"
fi
[ -f "$dir/train.rsm" ] || "$bin/rs-interactions" -q --until end-14d \
    -o "$dir/train.rsm" "$dir/events.rse"
[ -f "$dir/test.rsm" ] || "$bin/rs-interactions" -q --since end-14d \
    -e addtocart -o "$dir/test.rsm" "$dir/events.rse"
for m in train test; do
	printf '%s: ' $m
	"$bin/rs-cat" -i "$dir/$m.rsm" | awk -F'\t' '$1 == "table" { printf "%s %s; ", $2, $3 } END { print "" }'
done

recs=$dir/recs-$rows.csv
if [ ! -f "$recs" ]; then
	echo "writing $rows recommendation rows"
	"$bin/rs-cat" "$dir/test.rsm" | awk -F, '
	    /^row_id,/ { t = "rows"; next } /^col_id/ { t = ""; next }
	    t == "rows" { print "t," $1 }' >"$dir/users.txt"
	"$bin/rs-cat" "$dir/train.rsm" | awk -F, '
	    /^row_id,/ { t = "rows"; next } /^col_id/ { t = "cols"; next }
	    /^col,/ { t = ""; next }
	    t == "rows" { print "u," $1 } t == "cols" { print "i," $1 }' \
	    >>"$dir/users.txt"
	{
		echo "user,item,rank,score"
		awk -F, -v rows="$rows" 'BEGIN { srand(1) }
		    $1 == "t" || $1 == "u" {
			if (!($2 in seen)) { seen[$2] = 1; u[nu++] = $2 }
		    }
		    $1 == "i" { it[ni++] = $2 }
		    END {
			n = 0
			for (k = 0; k < nu && n < rows; k++) {
				delete got
				for (r = 1; r <= 20 && n < rows; r++) {
					do {
						x = it[int(ni * rand() ^ 3)]
					} while (x in got)
					got[x] = 1
					print u[k] "," x "," r "," 1 / r
					n++
				}
			}
		    }' "$dir/users.txt" | shuf --random-source=/dev/zero
	} >"$recs"
	rm -f "$dir/users.txt"
	awk -F, 'NR > 1 { printf "{\"user\": %s, \"item\": %s, \"rank\": %s, \"score\": %s}\n", $1, $2, $3, $4 }' \
	    "$recs" >"${recs%.csv}.jsonl"
fi
ls -l "$recs" "${recs%.csv}.jsonl" | awk '{ printf "%s: %.1f MB\n", $NF, $5 / 1048576 }'

run() {
	label=$1
	shift
	/usr/bin/time -v "$bin/rs-eval" -v "$@" >"$dir/out-$label" 2>"$dir/log-$label"
	awk -v l="$label" '
	/User time/ { u = $NF } /System time/ { s = $NF }
	/Elapsed \(wall/ { el = $NF } /Maximum resident/ { rss = $NF }
	END { printf "%s: %s wall, %.2f s user+sys, peak RSS %.0f MB\n", l, el, u + s, rss / 1024 }' \
	    "$dir/log-$label"
}
run csv -t "$dir/test.rsm" --train "$dir/train.rsm" "$recs"
run jsonl -t "$dir/test.rsm" --train "$dir/train.rsm" "${recs%.csv}.jsonl"
run both -t "$dir/test.rsm" --train "$dir/train.rsm" "$recs" "${recs%.csv}.jsonl"
cat "$dir/out-both"
uptime
