# A full disk is an error (exit 1), never a silent short output.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load events.csv >/dev/full
