# One changed byte inside a block of a raw property stream: the table
# checksum catches it.
. "$ROOT/tests/data/items/setup.sh"
zstd -dcq props1.rse >raw.rse
printf 'Z' | dd of=raw.rse bs=1 seek=$(($(wc -c <raw.rse) - 50)) conv=notrunc 2>/dev/null
rs-clean-items --csv -t tree.rse raw.rse
