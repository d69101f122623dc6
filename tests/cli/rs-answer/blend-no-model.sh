# a blend naming a source without its model
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-answer -b recent:5,als:5 -r r.rsq -H ev.rse
