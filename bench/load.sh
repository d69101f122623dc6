#!/bin/sh
# load.sh - rs-load against the I/O floor (wc -l) and typed pandas.read_csv
# on the same files, side by side.
#
#   sh bench/load.sh DIR
#
# DIR holds generated CSV (rs-synth --scale 1 -o DIR); each of events.csv,
# item_properties_part1.csv and item_properties_part2.csv found there is
# measured, best of $REPEAT runs (default 3) after one warm-up read, so
# every tool reads from the page cache.  rs-load writes its stream beside
# the input (same disk) and the file is removed afterwards.  Columns:
# wall seconds, CPU seconds (user+sys), MB/s and rows/s over the CSV
# size, peak RSS (/usr/bin/time).  pandas seconds are read_csv alone
# (its import excluded, measured inside bench/load_pandas.py); its peak
# RSS is the whole process.  The last column is pandas time / rs-load
# time.  Environment: RS_LOAD (the binary; default $O/bin/rs-load, O
# defaulting to build), PYTHON (one that imports pandas), REPEAT.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: sh bench/load.sh DIR}
O=${O:-build}
rsload=${RS_LOAD:-$root/$O/bin/rs-load}
repeat=${REPEAT:-3}
[ -x "$rsload" ] || { echo "load.sh: no $rsload (run make first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "load.sh: needs /usr/bin/time" >&2; exit 1; }

python=
for p in ${PYTHON:-} /usr/bin/python3 python3; do
	if "$p" -c 'import pandas' 2>/dev/null; then python=$p; break; fi
done
[ -n "$python" ] || echo "load.sh: no python3 with pandas; pandas column skipped" >&2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rs-bench.XXXXXX")
trap 'rm -rf "$tmp"; rm -f "$dir/.bench-load.rse"' EXIT INT TERM

# best CMD...: runs CMD $repeat times; prints "wall cpu rss_kb" of the
# fastest run (stdout of the command goes to $tmp/out).
best() {
	b=
	i=0
	while [ $i -lt "$repeat" ]; do
		/usr/bin/time -o "$tmp/t" -f '%e %U %S %M' "$@" >"$tmp/out.$i" 2>"$tmp/err" || {
			echo "load.sh: failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }
		r=$(tail -n 1 "$tmp/t")
		if [ -z "$b" ] || awk -v a="$r" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then
			b=$r
			cp "$tmp/out.$i" "$tmp/out"
		fi
		i=$((i + 1))
	done
	echo "$b" | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }'
}

printf '%-26s %-8s %8s %8s %9s %10s %9s %8s\n' file tool seconds cpu_s MB/s rows/s RSS_MiB vs_rs
for name in events.csv item_properties_part1.csv item_properties_part2.csv; do
	f=$dir/$name
	[ -f "$f" ] || { echo "load.sh: $f not found, skipped" >&2; continue; }
	case $name in events*) kind=events;; *) kind=props;; esac
	cat "$f" >/dev/null
	bytes=$(wc -c <"$f")
	rows=$(($(wc -l <"$f") - 1))

	set -- $(best wc -l "$f"); wc_s=$1 wc_cpu=$2 wc_rss=$3
	set -- $(best "$rsload" -o "$dir/.bench-load.rse" "$f"); rs_s=$1 rs_cpu=$2 rs_rss=$3
	rm -f "$dir/.bench-load.rse"
	if [ -n "$python" ]; then
		set -- $(best "$python" "$root/bench/load_pandas.py" $kind "$f")
		pd_cpu=$2 pd_rss=$3
		pd_s=$(awk '{ print $2 }' "$tmp/out")
	fi

	row() { # tool seconds cpu rss_kb ratio
		awk -v n="$name" -v t="$1" -v s="$2" -v c="$3" -v m="$4" -v b="$bytes" -v r="$rows" -v x="$5" 'BEGIN {
			if (s <= 0) s = 0.005
			printf "%-26s %-8s %8.2f %8.2f %9.0f %10.0f %9.1f %8s\n", n, t, s, c, b / s / 1e6, r / s, m / 1024, x }'
	}
	row "wc -l" "$wc_s" "$wc_cpu" "$wc_rss" "-"
	if [ -n "$python" ]; then
		row pandas "$pd_s" "$pd_cpu" "$pd_rss" "-"
		ratio=$(awk -v p="$pd_s" -v r="$rs_s" 'BEGIN { if (r <= 0) r = 0.005; printf "%.1fx", p / r }')
	else
		ratio=-
	fi
	row rs-load "$rs_s" "$rs_cpu" "$rs_rss" "$ratio"
done
