# 18446744073709551615 (2^64 - 1) means "no id" in the streams and is
# refused, as rs-load refuses it, naming the file and line; so is a
# larger number; 18446744073709551614 is an id like any other
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
printf '100\n18446744073709551614\n18446744073709551615\n' >ids.txt
rs-recommend -k 1 -m m.rsa ids.txt || echo "exit $?"
printf '100\n18446744073709551616\n' >big.txt
rs-recommend -k 1 -m m.rsa big.txt || echo "exit $?"
printf '100\n18446744073709551614\n' >ok.txt
rs-recommend -q -k 1 -m m.rsa --fallback pop.rsa ok.txt
