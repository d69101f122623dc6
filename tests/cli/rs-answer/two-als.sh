# two ALS models (-m twice, as rs-recommend -r took): one als and one popular only
set -eu
. "$ROOT/tests/data/replay/setup.sh"
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
rs-answer -m m.rsa -m m.rsa -r r.rsq -H ev.rse
