# a full disk is a runtime error
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -q -r r.rsq -H ev.rse >/dev/full
