# the alias runs the rs-answer beside rs-recommend, PATH or not; without
# one there or on PATH it is a clear error, exit 1
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
mkdir pair lone
cp "$(command -v rs-recommend)" "$(command -v rs-answer)" pair/
cp "$(command -v rs-recommend)" lone/
rs-answer -k 2 -r r.rsq -H ev.rse -o a.csv
PATH=/nonexistent pair/rs-recommend -k 2 -r r.rsq -H ev.rse | cmp - a.csv
PATH=/nonexistent lone/rs-recommend -k 2 -r r.rsq -H ev.rse
