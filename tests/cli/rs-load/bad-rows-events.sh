# Every kind of bad row in an events file: reported as file:line: reason,
# counted in the summary, skipped; the good rows survive.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load -o x.rse bad-events.csv && rs-cat x.rse
