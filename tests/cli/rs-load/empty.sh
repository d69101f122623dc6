cp "$ROOT"/tests/data/csv/*.csv .
rs-load -o x.rse empty.csv
rc=$?
test ! -e x.rse || echo 'x.rse was created'
exit $rc
