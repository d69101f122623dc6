# events where requests are expected
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -r ev.rse -H ev.rse
