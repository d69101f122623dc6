#!/bin/sh
# clean_items.sh - rs-clean-items against the same computation in pandas
# (bench/clean_items_pandas.py), side by side in one run, on generated
# data of Retailrocket shape.
#
#   O=build sh bench/clean_items.sh [scale] [workdir]
#
# scale (default 1: about 19 M property rows) goes to rs-synth; workdir
# (default /tmp/rs-bench-items) keeps the generated CSV and the loaded
# streams, so a second run skips generating and loading.  Prints CPU
# seconds (user + sys), wall seconds and peak RSS of each step, checks
# that both produce the same CSV byte for byte, and prints the speed-up.
# PYTHON (default /usr/bin/python3) must have pandas.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
bin=$root/$O/bin
scale=${1:-1}
dir=${2:-/tmp/rs-bench-items}
PYTHON=${PYTHON:-/usr/bin/python3}
for t in rs-synth rs-load rs-clean-items; do
	[ -x "$bin/$t" ] || { echo "clean_items.sh: $bin/$t not built (make O=$O)" >&2; exit 1; }
done
"$PYTHON" -c 'import pandas' 2>/dev/null || { echo "clean_items.sh: $PYTHON has no pandas" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"

# measure NAME CMD...: runs CMD under /usr/bin/time, appends a result line.
measure() {
	name=$1; shift
	/usr/bin/time -f "%U %S %e %M" -o time.out "$@"
	read -r u s e m <time.out
	awk -v n="$name" -v u="$u" -v s="$s" -v e="$e" -v m="$m" 'BEGIN {
	    printf "%-34s %9.2f %9.2f %9.0f\n", n, u + s, e, m / 1024 }' |
	    tee -a results.txt
}

if [ ! -f item_properties_part2.csv ]; then
	echo "generating scale $scale into $dir ..." >&2
	"$bin/rs-synth" -q -s "$scale" -o .
fi
rows=$(($(wc -l <item_properties_part1.csv) + $(wc -l <item_properties_part2.csv) - 2))
: >results.txt
echo "property rows: $rows"
printf '%-34s %9s %9s %9s\n' step "cpu s" "wall s" "peak MB"
measure "rs-load tree" "$bin/rs-load" -q -o tree.rse category_tree.csv 2>/dev/null
measure "rs-load props part 1" "$bin/rs-load" -q -o props1.rse item_properties_part1.csv 2>/dev/null
measure "rs-load props part 2" "$bin/rs-load" -q -o props2.rse item_properties_part2.csv 2>/dev/null
measure "rs-clean-items (stream out)" "$bin/rs-clean-items" -q -t tree.rse -o items.rsi props1.rse props2.rse
measure "rs-clean-items --csv" "$bin/rs-clean-items" -q --csv -t tree.rse -o items_c.csv props1.rse props2.rse
measure "pandas (read_csv + compute + csv)" "$PYTHON" "$root/bench/clean_items_pandas.py" \
    category_tree.csv end 10 0 items_pd.csv item_properties_part1.csv item_properties_part2.csv 2>pandas.err
grep phases pandas.err
if cmp -s items_c.csv items_pd.csv; then
	echo "outputs: identical ($(($(wc -l <items_c.csv) - 1)) items)"
else
	echo "outputs: DIFFER (items_c.csv vs items_pd.csv)"; exit 1
fi
awk '{ cpu[NR] = $(NF - 2); wall[NR] = $(NF - 1); mb[NR] = $NF }
    END {
	c = cpu[2] + cpu[3] + cpu[5]; w = wall[2] + wall[3] + wall[5]
	printf "rs-clean-items --csv vs pandas: %.1fx less CPU, %.1fx less peak memory\n", cpu[6] / cpu[5], mb[6] / mb[5]
	printf "rs-load + rs-clean-items --csv (from CSV) vs pandas: %.1fx less CPU\n", cpu[6] / c
    }' results.txt
