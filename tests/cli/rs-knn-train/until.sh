# --until 4000 leaves out the later events
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-knn-train -q --until 4000 --csv ev.rse
