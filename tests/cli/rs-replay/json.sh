# JSON lines
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -q -k 5 -r r.rsq -H ev.rse --format json | head -3
