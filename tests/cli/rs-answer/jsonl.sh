# the default blend (recent:5,popular:5), JSON Lines, 3 threads, bought items allowed
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-answer -k 2 -t 3 -f jsonl --keep-bought -r r.rsq -H ev.rse
