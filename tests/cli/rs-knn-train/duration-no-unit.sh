# A duration without a unit is a usage error (it used to be taken as
# milliseconds, silently: --session-gap 14 meant 14 ms); a bare 0 is fine.
rs-knn-train --session-gap 14 x.rse
echo "exit $?"
rs-knn-train --half-life 36 x.rse
echo "exit $?"
rs-knn-train --until end-14 x.rse
echo "exit $?"
rs-load -q -o ev.rse "$ROOT"/tests/data/replay/events.csv
rs-knn-train -q --half-life 0 --session-gap 30m -o k.rsk ev.rse
echo "exit $?"
