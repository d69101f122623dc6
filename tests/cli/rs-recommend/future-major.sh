# A model of a newer major version is refused, naming both versions.
. "$ROOT/tests/data/recommend/setup.sh"
zstd -dcq m.rsa >raw.rsa
printf '\002' | dd of=raw.rsa bs=1 seek=8 conv=notrunc 2>/dev/null
echo 100 | rs-recommend -m raw.rsa
