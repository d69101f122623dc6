# A flipped byte inside the zstd frame: zstd's checksum or ours catches it.
cp $ROOT/tests/data/streams/1.0/events.rse x.rse
printf '\377' | dd of=x.rse bs=1 seek=100 conv=notrunc 2>/dev/null
rs-cat x.rse >/dev/null
