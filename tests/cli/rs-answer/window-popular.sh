# --popular-window is of the causal counts: not with a popular model
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
rs-answer -p pop.rsa --popular-window 1d -r r.rsq -H ev.rse
