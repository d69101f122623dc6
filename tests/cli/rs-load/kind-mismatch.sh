cp "$ROOT"/tests/data/csv/*.csv .
rs-load -o x.rse events.csv tree.csv
