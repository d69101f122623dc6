# the default blend (recent:5,popular:5), JSON Lines, 3 threads, bought items allowed
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-answer -k 2 -t 3 -f jsonl --keep-bought -r r.rsq -H ev.rse
