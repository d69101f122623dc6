cp "$ROOT"/tests/data/csv/*.csv .
zstd -q -c props1.csv >c.zst
printf '\125' | dd of=c.zst bs=1 seek=20 conv=notrunc 2>/dev/null
rs-load -o x.rse c.zst
