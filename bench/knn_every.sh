#!/bin/sh
# knn_every.sh - item-kNN retrained per period (rs-replay --knn-every,
# issue #14): the replay table and its cost with the model trained once
# a day, every hour and every 15 minutes (and an hour with a half-life),
# on the real Retailrocket events sample (every add-to-cart a request)
# when ../shared/data/retailrocket holds it, and on generated data at
# the given scale (default 1; the add-to-carts of the last 14 days),
# where it also prints the wall and CPU time of the whole replay and the
# requests/s of answering (-t 2).
#
#   sh bench/knn_every.sh [scale]
#
# Rows: itemknn:10 and recent:5,itemknn:5,popular:0 at K = 10 and 20,
# hit@10, hit@20 and MRR@10 over all and discovery requests.  The
# machine is shared: CPU time (user + sys) is the steadier figure.  For
# samples of 5,000 generated visitors use bench/sampled.sh with
# REPLAY_OPTS="--knn-every 1h".
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
scale=${1:-1}
bin=$root/$O/bin
dir=${BENCH_DIR:-/tmp/rs-bench}/scale-$scale
real=${RS_DATA:-$root/../shared/data/retailrocket}
export OPENBLAS_NUM_THREADS=1 PATH="$bin:$PATH"
[ -x "$bin/rs-replay" ] || { echo "knn_every.sh: build first (make O=$O)" >&2; exit 1; }
mkdir -p "$dir"

table() {	# replay CSV -> one line per row and targets
	sed -E ':a
	    s/^("[^",]*),/\1+/
	    ta
	    s/"//g' "$1" | awk -F, -v l="$2" '
	    $1 ~ /itemknn/ && $1 != "itemknn" {
		key = $1 " " $2
		if (!(key in n)) order[++m] = key
		n[key] = $3
		if ($4 == 10) { h10[key] = $5; mrr[key] = $6 } else h20[key] = $5
	    }
	    END { for (i = 1; i <= m; i++) { k = order[i]
		printf "%-14s %-42s %5d %7.4f %7.4f %7.4f\n", l, k, n[k],
		    h10[k], h20[k], mrr[k] } }'
}

run() {	# label, events, requests, options...
	label=$1 ev=$2 rq=$3
	shift 3
	/usr/bin/time -f "%e %U %S" -o time.txt rs-replay -k 10,20 -t 2 \
	    --format csv -r "$rq" -H "$ev" -b itemknn:10 \
	    -b recent:5,itemknn:5,popular:0 "$@" >out.csv 2>err.txt
	table out.csv "$label"
	awk -v l="$label" '{ printf "%-14s whole replay: wall %.1f s, cpu %.1f s",
	    l, $1, $2 + $3 }' time.txt
	sed -n 's/.*answered in \(.*\)$/; answering \1/p' err.txt
}

printf '%-14s %-42s %5s %7s %7s %7s\n' period "row targets" n hit@10 hit@20 mrr@10
cd "$dir"
if [ -f "$real/events_sample_5000_visitors.csv" ]; then
	rs-load -q -o real.rse "$real/events_sample_5000_visitors.csv"
	rs-requests -q -o real.rsq real.rse
	echo "real sample, every add-to-cart a request:"
	for p in "daily --knn-daily" "1h --knn-every 1h" "15m --knn-every 15m" \
	    "1h,hl=7d --knn-every 1h --knn-half-life 7d"; do
		# shellcheck disable=SC2086
		run ${p%% *} real.rse real.rsq ${p#* }
	done
fi
if [ ! -f events.rse ]; then
	[ -f csv/events.csv ] || rs-synth -q -t 2 -s "$scale" -o csv
	rs-load -q -o events.rse csv/events.csv
fi
rs-requests -q --since end-14d -o replay.rsq events.rse
echo "generated, scale $scale, last 14 days:"
for p in "daily --knn-daily" "1h --knn-every 1h" "15m --knn-every 15m"; do
	# shellcheck disable=SC2086
	run ${p%% *} events.rse replay.rsq ${p#* }
done
