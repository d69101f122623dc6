# With --kind, another kind's header is an error, not 5 bad rows.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load -k tree -o x.rse props1.csv
