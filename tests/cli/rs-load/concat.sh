# Several files of one kind become one stream, in order.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load -o x.rse props1.csv props2.csv && rs-cat x.rse &&
rs-cat -i x.rse | grep -E '^(table|meta.inputs)'
