# a flipped byte in a block fails the checksum
set -eu
D=$ROOT/tests/data/interactions
cp $D/tiny.rse t.rse
printf "\\377" | dd of=t.rse bs=1 seek=300 conv=notrunc 2>/dev/null
rs-interactions --csv t.rse
