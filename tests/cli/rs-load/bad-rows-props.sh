cp "$ROOT"/tests/data/csv/*.csv .
rs-load -o x.rse bad-props.csv && rs-cat x.rse
