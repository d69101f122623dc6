# A model of a newer major version is refused, naming both versions.
. "$ROOT/tests/data/recommend/setup.sh"
# Models are written raw (format 2.0), so the version is at byte 8 as is.
cp m.rsa raw.rsa
printf '\003' | dd of=raw.rsa bs=1 seek=8 conv=notrunc 2>/dev/null
echo 100 | rs-recommend -m raw.rsa
