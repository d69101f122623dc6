# zstd input is recognised by its magic bytes, from a file or a pipe.
cp "$ROOT"/tests/data/csv/*.csv .
zstd -q -c props1.csv >p.zst
rs-load -v -o x.rse p.zst 2>&1 | grep -v ' rows$' && rs-cat x.rse &&
zstd -q -c tree.csv | rs-load | rs-cat
