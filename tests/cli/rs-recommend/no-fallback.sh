# Without a popular list an unknown visitor gets no rows, and a warning.
. "$ROOT/tests/data/recommend/setup.sh"
printf '555\n100\n' | rs-recommend -k 2 -m m.rsa
