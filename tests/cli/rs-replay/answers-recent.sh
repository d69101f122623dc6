# recent answers: strictly before the request, bought items dropped
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -q -k 5 -r r.rsq -H ev.rse -a a.csv --answers-of recent --format csv >/dev/null
cat a.csv
