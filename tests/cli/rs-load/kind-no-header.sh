# With --kind, a first row that is not a header is data.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load -k tree no-header-tree.csv | rs-cat
