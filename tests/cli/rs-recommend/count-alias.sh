# -k/--k is the list length, as in every tool; --count, its old name,
# still works: the same bytes, and not those of the default
set -eu
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
echo 100 | rs-recommend -k 2 -m m.rsa >k.csv
echo 100 | rs-recommend --k 2 -m m.rsa | cmp - k.csv
echo 100 | rs-recommend --count 2 -m m.rsa | cmp - k.csv
echo 100 | rs-recommend -m m.rsa | cmp -s - k.csv && exit 1
cat k.csv
