# one changed byte inside the compressed matrix: the checksum catches it
set -e
rs-interactions -q -o t.rsm $ROOT/tests/data/interactions/tiny.rse
n=$(wc -c < t.rsm)
printf '\377' | dd of=t.rsm bs=1 seek=$((n - 12)) conv=notrunc 2>/dev/null
set +e
rs-als-train -o m.rsa t.rsm >/dev/null 2>err
s=$?
grep -q -i "checksum\|corrupt" err && echo detected
exit $s
