# a full disk is an error (exit 1)
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-answer -r r.rsq -H ev.rse >/dev/full
