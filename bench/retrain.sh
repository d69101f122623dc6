#!/bin/sh
# retrain.sh - one whole rs-retrain run on generated data, stage by stage.
#
#   sh bench/retrain.sh DIR
#
# DIR holds generated CSV (rs-synth --scale 1 -o DIR).  The run uses a
# fresh output directory under $TMPDIR with the defaults of rs-retrain(1)
# (replay gate on, no precompute; PRECOMPUTE=1 adds it), then prints the
# wall time of every stage from the Prometheus file it wrote, their sum
# against the whole run's wall time and peak RSS, and the .prom file
# itself.  Environment: O (build directory), PRECOMPUTE, THREADS (2).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(cd "${1:?usage: sh bench/retrain.sh DIR}" && pwd)
O=${O:-build}
PATH="$root/$O/bin:$PATH"
export PATH
[ -x /usr/bin/time ] || { echo "retrain.sh: needs /usr/bin/time" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rs-bench-retrain.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/retrain.conf" <<CONF
data_dir = $dir
output_dir = $tmp/models
metrics_file = $tmp/rs-retrain.prom
threads = ${THREADS:-2}
precompute = ${PRECOMPUTE:-0}
CONF
/usr/bin/time -o "$tmp/time" -f '%e %M' sh "$root/scripts/rs-retrain" -q -c "$tmp/retrain.conf" ||
	{ echo "retrain.sh: rs-retrain exited $? (log: $(tail -5 "$tmp/models/last-run.log"))" >&2; exit 1; }
read -r wall rss <"$tmp/time"
printf '%-16s %9s\n' stage seconds
awk -F'[{}"= ]+' '/^rs_retrain_stage_duration_seconds\{/ { printf "%-16s %9.2f\n", $3, $4; s += $4 }
	END { printf "%-16s %9.2f\n", "sum of stages", s }' "$tmp/rs-retrain.prom"
awk -v w="$wall" -v m="$rss" 'BEGIN { printf "%-16s %9.2f  (peak RSS of one tool: %.0f MiB)\n", "whole run", w, m / 1024 }'
echo
echo "-- $tmp/rs-retrain.prom"
cat "$tmp/rs-retrain.prom"
