cp "$ROOT"/tests/data/csv/*.csv .
rs-load -o x.rse unknown-header.csv
