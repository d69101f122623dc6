#!/bin/sh
# bench/synth.sh - time rs-synth at a scale (default 1) into a temporary
# directory outside the project: wall seconds, CPU seconds (user + sys),
# MB written, MB/s and peak RSS, once per thread count.
#
#   sh bench/synth.sh [scale] [threads ...]     (default: 1, then 1 and 2)
#
# Uses build/bin/rs-synth unless RS_SYNTH names another binary (e.g.
# RS_SYNTH=build-synth/bin/rs-synth).  Needs GNU time (/usr/bin/time).
# The machine is shared: run it twice and keep the lower figures.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${RS_SYNTH:-$root/build/bin/rs-synth}
scale=${1:-1}
[ $# -gt 0 ] && shift
threads=${*:-1 2}
[ -x "$bin" ] || { echo "synth.sh: no $bin; run make first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "synth.sh: /usr/bin/time not found" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rs-bench-synth.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

printf '%-6s %-7s %8s %8s %9s %8s %9s\n' scale threads wall_s cpu_s MB MB/s rss_MB
for j in $threads; do
	rm -rf "$tmp/out"
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" \
	    "$bin" -q -s "$scale" --threads "$j" -o "$tmp/out"
	bytes=$(cat "$tmp/out"/*.csv | wc -c)
	read -r wall user sys rss <"$tmp/time"
	awk -v s="$scale" -v j="$j" -v w="$wall" -v u="$user" -v y="$sys" \
	    -v b="$bytes" -v r="$rss" 'BEGIN {
		printf "%-6s %-7s %8.2f %8.2f %9.1f %8.1f %9.1f\n", s, j, w,
		    u + y, b / 1e6, (w > 0 ? b / 1e6 / w : 0), r / 1024 }'
done
