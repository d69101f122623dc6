# The item table drops 2 (unavailable now) and 5 (never available,
# not in the table: counted in a warning); item lists filter too.
. "$ROOT/tests/data/recommend/setup.sh"
echo 7 >deny.txt
printf '100\n200\n555\n' | rs-recommend -k 3 -m m.rsa --fallback pop.rsa --items items.rsi --exclude-items deny.txt
printf '1\n4\n6\n' >only.txt
echo 300 | rs-recommend -k 3 -m m.rsa --only-items only.txt
