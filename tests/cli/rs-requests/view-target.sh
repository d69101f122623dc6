# -e view makes a request per view
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -e view --until 1000 --csv ev.rse
