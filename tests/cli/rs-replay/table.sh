# the metric table
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -q -k 5 -r r.rsq -H ev.rse
