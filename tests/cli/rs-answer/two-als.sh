# two ALS models (-m twice, as rs-recommend -r took): one als and one popular only
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
rs-answer -m m.rsa -m m.rsa -r r.rsq -H ev.rse
