# the real events sample: every event kept, no bad record
set -eu
D=$ROOT/tests/data/interactions
[ -f "$RS_DATA/events_sample_5000_visitors.csv" ] || { echo "skip: $RS_DATA/events_sample_5000_visitors.csv not found" >&2; exit 77; }
rs-load -q -o ev.rse "$RS_DATA/events_sample_5000_visitors.csv" 2>load.err || { cat load.err >&2; exit 1; }
rs-interactions -o m.rsm ev.rse
rs-interactions -q --aggregate count --csv ev.rse | awk -F, "NR > 1 { n += \$3 } END { print n }"
rs-interactions -q --csv ev.rse | awk -F, "NR > 1 { n += \$3 } END { print n }"
