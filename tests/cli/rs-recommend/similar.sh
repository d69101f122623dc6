# Similar items: cosine of item factors, the query itself excluded;
# an item unknown to the model gets the popular list.  JSON Lines.
. "$ROOT/tests/data/recommend/setup.sh"
printf '1\n4\n7\n' | rs-recommend -k 2 --similar -f jsonl -m m.rsa --fallback pop.rsa
