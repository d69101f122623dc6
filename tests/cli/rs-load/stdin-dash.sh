cp "$ROOT"/tests/data/csv/*.csv .
cat events.csv | rs-load - | rs-cat
