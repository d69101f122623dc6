# A full disk is an error (exit 1), never a silent short output.
. "$ROOT/tests/data/recommend/setup.sh"
echo 100 | rs-recommend -m m.rsa >/dev/full
