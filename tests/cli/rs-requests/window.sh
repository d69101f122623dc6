# --since end-2s keeps the targets of the last two seconds
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q --since end-2s -o r.rsq ev.rse
rs-cat r.rsq
rs-cat -m since r.rsq
