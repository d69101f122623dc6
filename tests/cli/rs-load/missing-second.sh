# A missing second input: exit 1, and neither the output nor a temporary
# file beside it is left behind.
cp "$ROOT"/tests/data/csv/*.csv .
mkdir out
rs-load -o out/x.rse events.csv no-such.csv
rc=$?
ls -A out
exit $rc
