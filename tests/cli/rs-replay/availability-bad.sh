# -A wants item properties: an event stream is refused, naming the file
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -q -r r.rsq -H ev.rse -A ev.rse
