# Bought and seen items are never recommended, the list stays K long;
# 555 is unknown to the model: the fallback's popular list, minus what
# it bought; the empty line is skipped.  300 ties everywhere: lower ids.
# Warnings count the filter ids the model does not know.
. "$ROOT/tests/data/recommend/setup.sh"
rs-recommend -k 3 -m m.rsa --fallback pop.rsa --exclude-bought bought.rsm --exclude-seen seen.rsm "$ROOT/tests/data/recommend/visitors.txt"
