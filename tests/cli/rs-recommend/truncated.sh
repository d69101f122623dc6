# A cut model stream is an error, never a smaller model.
. "$ROOT/tests/data/recommend/setup.sh"
n=$(wc -c <m.rsa)
head -c $((n - 5)) m.rsa >cut.rsa
echo 100 | rs-recommend -m cut.rsa
