# A quote never closed: the row that runs to the end is bad.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load open-quote.csv | rs-cat
