cp "$ROOT"/tests/data/csv/*.csv .
rs-load <tree.csv | rs-cat
