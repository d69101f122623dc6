# A stream of a newer major version is refused, naming both versions.
. "$ROOT/tests/data/items/setup.sh"
zstd -dcq props1.rse >raw.rse
printf '\003' | dd of=raw.rse bs=1 seek=8 conv=notrunc 2>/dev/null
rs-clean-items --csv -t tree.rse raw.rse
