# Fold-in: 777 (unknown) gets a vector from its recent events (cart 6,
# view 5) and ALS rows; 100 is recomputed from its views (6, 4) plus its
# --train history; 555 has no recent events: popular.
. "$ROOT/tests/data/recommend/setup.sh"
printf '777\n100\n555\n' | rs-recommend -k 3 -m m.rsa --fallback pop.rsa --fold-in --recent recent.rse --train bought.rsm
# Without --train a known visitor keeps its trained vector (offline 1, 2,
# 3, ... as without fold-in); 777 is still folded in.
printf '100\n777\n' | rs-recommend -k 3 -m m.rsa --fold-in --recent recent.rse
