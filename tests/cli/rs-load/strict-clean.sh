# --strict on a clean file is a normal load.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load --strict -o x.rse events.csv && rs-cat x.rse
