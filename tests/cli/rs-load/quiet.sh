# -q drops the per-row lines but keeps the summary.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load -q -o x.rse bad-events.csv
