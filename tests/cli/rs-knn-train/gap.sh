# --session-gap 1s splits visitor 1 into single-event sessions
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-knn-train -q --session-gap 999ms --csv ev.rse
