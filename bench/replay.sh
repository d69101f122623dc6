#!/bin/sh
# replay.sh - the replay protocol on generated data (issue #7).
#
#   sh bench/replay.sh [scale]
#
# Generates Retailrocket-shaped data with rs-synth at the given scale
# (default 1: 2.7 M events), cached under ${BENCH_DIR:-/tmp/rs-bench};
# makes the requests (every add-to-cart of the last 14 days), trains the
# item-kNN model and ALS (f = 64) on the events before that window, then
# times, under /usr/bin/time -v: rs-knn-train (CPU, wall, peak RSS), the
# replay without ALS and the replay with ALS fold-in, and prints the full
# replay table (every recommender and the blends compared in
# rs-replay(1), all and discovery targets, K = 10 and 20).  The machine
# is shared: CPU time (user + sys) is the steadier figure.
#
# ALS speed: the als source alone, 1 and 2 threads, best of $RUNS (3)
# runs each; with BEFORE=/path/to/an/older/rs-replay the same runs of
# that binary are interleaved with ours, for a before/after in one run.
# Availability: recent and the default blend with neither filter, with
# -i (the item table as of the window start) and with -A (availability
# at each request, both property files).  Popular windows: 1h, 1d, 7d.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
scale=${1:-1}
dir=${BENCH_DIR:-/tmp/rs-bench}/scale-$scale
bin=$root/$O/bin
export OPENBLAS_NUM_THREADS=1 PATH="$bin:$PATH"
mkdir -p "$dir"

[ -x "$bin/rs-replay" ] || { echo "replay.sh: build first (make O=$O)" >&2; exit 1; }
if [ ! -f "$dir/events.rse" ]; then
	if [ ! -f "$dir/csv/events.csv" ]; then
		echo "generating scale $scale data in $dir"
		rs-synth -q -t 2 -s "$scale" -o "$dir/csv"
	fi
	rs-load -q -o "$dir/events.rse" "$dir/csv/events.csv"
fi
cd "$dir"
rs-requests -q --since end-14d -o replay.rsq events.rse
t=$(rs-cat -m since replay.rsq)
n=$(rs-cat -H replay.rsq | wc -l)

timed() {
	label=$1
	shift
	/usr/bin/time -v "$@" 2>time.txt >out.txt || { cat time.txt; exit 1; }
	awk -v l="$label" -F': ' '
	    /User time/ { u = $2 } /System time/ { s = $2 }
	    /Elapsed/ { w = $2 } /Maximum resident/ { m = $2 }
	    END { printf "%-28s cpu %6.2f s  wall %s  peak RSS %d MB\n",
	        l, u + s, w, m / 1024 }' time.txt
	grep '^rs-replay: .* answered' time.txt || true
}

timed "rs-knn-train" rs-knn-train -q --until "$t" -o knn.rsk events.rse
if [ ! -f als.rsa ]; then
	rs-interactions -q --until "$t" -o replay-train.rsm events.rse
	rs-als-train -q -t 2 -f 64 -o als.rsa replay-train.rsm
fi
timed "rs-replay (no ALS)" rs-replay -t 2 -k 10 -r replay.rsq \
    -H events.rse -n knn.rsk
timed "rs-replay (ALS fold-in)" rs-replay -t 2 -k 10 -r replay.rsq \
    -H events.rse -m als.rsa -b als:1
echo "requests: $n (add-to-carts since $t)"

# als source alone: requests/s of the answering phase, best of RUNS
best() {
	"$@" 2>&1 >/dev/null | sed -n 's/.*(\([0-9]*\) requests\/s).*/\1/p'
}
for th in 1 2; do
	for b in ${BEFORE:+"$BEFORE"} "$bin/rs-replay"; do
		r=0
		for i in $(seq "${RUNS:-3}"); do
			x=$(best "$b" -t "$th" -k 10 -r replay.rsq -H events.rse \
			    -m als.rsa -b als:1)
			[ "$x" -gt "$r" ] && r=$x
		done
		echo "als fold-in, $th thread(s), $b: $r requests/s"
	done
done

# availability: neither, -i (catalogue at the window start), -A
for f in props1 props2 tree; do
	# bench/clean_items.sh may have loaded them already
	[ -f $f.rse ] || [ ! -f csv/$f.rse ] || ln -s csv/$f.rse $f.rse
done
[ -f props1.rse ] || rs-load -q -o props1.rse csv/item_properties_part1.csv
[ -f props2.rse ] || rs-load -q -o props2.rse csv/item_properties_part2.csv
[ -f tree.rse ] || rs-load -q -o tree.rse csv/category_tree.csv
rs-clean-items -q -a "$t" -t tree.rse -o items-at-t.rsi props1.rse props2.rse
for f in none items avail; do
	case $f in
	none)	set -- ;;
	items)	set -- -i items-at-t.rsi ;;
	avail)	set -- -A props1.rse -A props2.rse ;;
	esac
	echo "filter: $f"
	rs-replay -q -t 2 -r replay.rsq -H events.rse -n knn.rsk "$@" |
	    grep -E '^(recommender|recent|recent:5,itemknn:5) '
done
echo "popular windows"
for w in 1h 1d 7d; do
	rs-replay -q -t 2 -r replay.rsq -H events.rse --popular-window "$w" |
	    grep '^popular'
done
rs-replay -t 2 -r replay.rsq -H events.rse -n knn.rsk -m als.rsa \
    -b recent:5,itemknn:5 -b recent:3,itemknn:7 \
    -b recent:5,itemknn:4,als:1 -b recent:4,itemknn:4,als:2 \
    -b recent:5,als:5 -b recent:4,itemknn:4,popular:2
