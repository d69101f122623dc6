# a popular model (-p) instead of causal counts, TSV
set -eu
. "$ROOT/tests/data/replay/setup.sh"
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
rs-answer -k 3 -f tsv -p pop.rsa -b popular -r r.rsq -H ev.rse
