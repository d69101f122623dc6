# Visitors from the rows of a matrix, as TSV; --all for every visitor.
. "$ROOT/tests/data/recommend/setup.sh"
rs-recommend -k 2 -f tsv -m m.rsa --fallback pop.rsa --users-from seen.rsm
rs-recommend -k 1 --all -m m.rsa
