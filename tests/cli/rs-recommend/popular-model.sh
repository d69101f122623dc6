# A popular model recommends the same list to everyone, filters applied.
. "$ROOT/tests/data/recommend/setup.sh"
printf '100\n555\n' | rs-recommend -k 3 -f tsv -m pop.rsa --exclude-bought bought.rsm
