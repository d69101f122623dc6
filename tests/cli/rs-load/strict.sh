# --strict: the first bad row is fatal (exit 1) and no output is created.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load --strict -o x.rse bad-events.csv
rc=$?
test ! -e x.rse || echo 'x.rse was created'
exit $rc
