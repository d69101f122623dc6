# A header and no rows is a valid, empty stream.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load -o x.rse header-only.csv && rs-cat -i x.rse | grep -v '^meta'
