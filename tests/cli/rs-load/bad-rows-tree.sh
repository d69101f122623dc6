cp "$ROOT"/tests/data/csv/*.csv .
rs-load -o x.rse bad-tree.csv && rs-cat x.rse
