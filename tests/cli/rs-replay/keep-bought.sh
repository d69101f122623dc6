# --keep-bought lets bought items back
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -q -k 5 -r r.rsq -H ev.rse --keep-bought -a a.csv --answers-of recent >/dev/null
cat a.csv
