cp "$ROOT"/tests/data/csv/*.csv .
rs-load bom.csv | rs-cat
