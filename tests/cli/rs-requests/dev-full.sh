# a full disk is a runtime error
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests --csv ev.rse >/dev/full
