# the neighbours of the fixture as CSV
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-knn-train --csv ev.rse
