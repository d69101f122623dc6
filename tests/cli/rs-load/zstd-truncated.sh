cp "$ROOT"/tests/data/csv/*.csv .
zstd -q -c props1.csv | head -c 40 >t.zst
rs-load -o x.rse t.zst
