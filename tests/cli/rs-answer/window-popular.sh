# --popular-window is of the causal counts: not with a popular model
set -eu
. "$ROOT/tests/data/replay/setup.sh"
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
rs-answer -p pop.rsa --popular-window 1d -r r.rsq -H ev.rse
