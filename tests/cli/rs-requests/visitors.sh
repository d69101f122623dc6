# --visitors: one request per visitor with an event in the window, all at
# 1 ms after the last event (or --at), no true item, in visitor id order
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q --visitors -o r.rsq ev.rse
rs-cat r.rsq
rs-cat -m event r.rsq
rs-cat -m at r.rsq
rs-requests -q --visitors --since end-2s --at 6000 --csv ev.rse
