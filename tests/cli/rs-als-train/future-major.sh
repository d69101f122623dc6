# a stream from a newer major version is refused
cp $ROOT/tests/data/streams/1.0/tree-raw.rse x.rse
printf '\003' | dd of=x.rse bs=1 seek=8 conv=notrunc 2>/dev/null
rs-als-train -o m.rsa x.rse
