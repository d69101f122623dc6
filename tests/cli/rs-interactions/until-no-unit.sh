# end-N needs a unit: end-14 used to mean 14 ms before the end, silently.
D=$ROOT/tests/data/interactions
rs-interactions --until end-14 $D/tiny.rse
echo "exit $?"
rs-interactions -q --until end-0 --since end-5000ms --csv $D/tiny.rse >/dev/null
echo "exit $?"
