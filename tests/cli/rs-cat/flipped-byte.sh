# One changed byte (a visitor id) inside a block of a raw stream: the table
# CRC catches it, and the exit status says so.
cp $ROOT/tests/data/streams/1.0/events-raw.rse x.rse
printf '\377' | dd of=x.rse bs=1 seek=230 conv=notrunc 2>/dev/null
rs-cat x.rse >/dev/null
