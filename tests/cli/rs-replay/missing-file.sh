# a missing request stream
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -r no-such.rsq -H ev.rse
