# the model stream reads back as the CSV
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-knn-train -q -o knn.rsk ev.rse
rs-cat -m model knn.rsk
rs-cat knn.rsk | head -4
