# every addtocart, in time order, ties by input order
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests --csv ev.rse
