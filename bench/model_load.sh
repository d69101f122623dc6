#!/bin/sh
# model_load.sh - what loading a scale-1 ALS model costs with the scan
# spaces it carries (rs-stream(5)) and without them (issue #13).
#
#   sh bench/model_load.sh [dir]
#
# dir (default ${BENCH_DIR:-/tmp/rs-bench}/scale-1) holds, or gets, the
# scale-1 training matrix train.rsm and popular model popular.rsa (as
# bench/serve.sh makes them).  Trains the f = 64 model (3 iterations)
# twice from the same matrix, the same factors: spaces.rsa (the default)
# and nospaces.rsa (--no-spaces).  Then RUNS (default 5) rounds,
# interleaved:
#  - one-shot rs-recommend of 10 000 of the model's visitors, K = 10,
#    --exclude-bought train.rsm, with -t 1 and -t 2: its -v "load" seconds
#    (model, matrix, engine);
#  - rs-serve -t 2 starting on a release of the model and popular.rsa (the
#    ALS blend with fold-in and similar items): the seconds it logs for
#    the release load.
# Prints the medians and their ratios.  The page cache matters: this
# kernel caches a buffered write in folios no larger than the write, and
# mapping a file cached in small folios is about twice as slow as mapping
# it in 2 MiB ones (read back from disk, or written 4 MiB at a time as
# the stream writer now does for raw streams, stream.c).  By default both
# models are first copied around the cache (dd oflag=direct) and read
# once; FRESH=1 times them as rs-als-train left them instead.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
dir=${1:-${BENCH_DIR:-/tmp/rs-bench}/scale-1}
bin=$root/$O/bin
RUNS=${RUNS:-5}
export OPENBLAS_NUM_THREADS=1
[ -x "$bin/rs-serve" ] || { echo "model_load.sh: build first (make O=$O)" >&2; exit 1; }
mkdir -p "$dir"
if [ ! -f "$dir/train.rsm" ]; then
	[ -f "$dir/events.rse" ] || {
		[ -f "$dir/csv/events.csv" ] ||
		    "$bin/rs-synth" -q -t 2 -s 1 -o "$dir/csv"
		"$bin/rs-load" -q -o "$dir/events.rse" "$dir/csv/events.csv"
	}
	"$bin/rs-interactions" -q --until end-14d -o "$dir/train.rsm" \
	    "$dir/events.rse"
fi
[ -f "$dir/popular.rsa" ] || "$bin/rs-als-train" -q -m popular \
    -o "$dir/popular.rsa" "$dir/train.rsm"
w=$(mktemp -d "${TMPDIR:-/tmp}/rs-bench-load.XXXXXX")
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$w"' EXIT INT TERM

"$bin/rs-als-train" -q -f 64 -i 3 -t 2 -o "$w/spaces.rsa" "$dir/train.rsm"
"$bin/rs-als-train" -q -f 64 -i 3 -t 2 --no-spaces -o "$w/nospaces.rsa" \
    "$dir/train.rsm"
for m in spaces nospaces; do
	if [ "${FRESH:-0}" = 0 ]; then
		dd if="$w/$m.rsa" of="$w/$m.tmp" bs=8M oflag=direct 2>/dev/null
		mv "$w/$m.tmp" "$w/$m.rsa"
		cat "$w/$m.rsa" >/dev/null
	fi
	mkdir -p "$w/rel-$m"
	ln "$w/$m.rsa" "$w/rel-$m/als.rsa"
	ln "$dir/popular.rsa" "$w/rel-$m/popular.rsa"
	echo "$m" >"$w/rel-$m/COMPLETE"
done
echo "model: $(ls -l "$w/spaces.rsa" | awk '{printf "%.0f MB", $5 / 1e6}') with spaces, $(ls -l "$w/nospaces.rsa" | awk '{printf "%.0f MB", $5 / 1e6}') without"
"$bin/rs-cat" "$w/nospaces.rsa" | awk '/^visitorid$/ {t = 1; next}
    /^itemid$/ {exit} t {u[n++] = $0}
    END {for (i = 0; i < 10000 && i < n; i++) print u[int(i * (n / 10000))]}' \
    >"$w/visitors"

oneshot() {	# model, threads: the load seconds
	"$bin/rs-recommend" -v -t "$2" -k 10 -m "$w/$1.rsa" \
	    --exclude-bought "$dir/train.rsm" "$w/visitors" 2>&1 >/dev/null |
	    sed -n 's/.*: load \([0-9.]*\) s;.*/\1/p'
}
serve() {	# model: the release load seconds rs-serve logs
	"$bin/rs-serve" -t 2 -l 127.0.0.1:0 --release "$w/rel-$1" \
	    >"$w/url" 2>"$w/err" &
	pid=$!
	i=0
	while ! grep -q 'loaded in' "$w/err" && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
	pid=
	sed -n 's/.* loaded in \([0-9.]*\) s.*/\1/p' "$w/err" | head -n 1
}
: >"$w/times"
r=1
while [ $r -le "$RUNS" ]; do
	for m in spaces nospaces; do
		echo "oneshot-t1 $m $(oneshot $m 1)" >>"$w/times"
		echo "oneshot-t2 $m $(oneshot $m 2)" >>"$w/times"
		echo "rs-serve $m $(serve $m)" >>"$w/times"
	done
	r=$((r + 1))
done
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
printf '\n%-12s %14s %14s %7s\n' load 'spaces s' 'no spaces s' ratio
for k in oneshot-t1 oneshot-t2 rs-serve; do
	a=$(awk -v k=$k '$1 == k && $2 == "spaces" {print $3}' "$w/times" | median)
	b=$(awk -v k=$k '$1 == k && $2 == "nospaces" {print $3}' "$w/times" | median)
	awk -v k=$k -v a="$a" -v b="$b" 'BEGIN {
	    printf "%-12s %14.3f %14.3f %6.2fx\n", k, a, b, b / a }'
done
echo "($RUNS rounds, medians; files $( [ "${FRESH:-0}" = 0 ] && echo "read back from disk" || echo "as written"); load average $(cut -d' ' -f1-3 /proc/loadavg))"
