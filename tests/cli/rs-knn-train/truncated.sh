# a truncated event stream is an error
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
head -c 100 ev.rse >t.rse
rs-knn-train --csv t.rse
