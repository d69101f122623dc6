# 100's recent items known to the model: 4 (newest), 6.  Online list:
# the best cosine to 4 or 6 (each not counting itself); offline: the ALS
# list minus bought 1 and 3.  Rows alternate online, offline, skipping
# items already taken.  777 and 555 have no ALS row: popular offline.
. "$ROOT/tests/data/recommend/setup.sh"
printf '100\n777\n555\n' | rs-recommend -k 4 -m m.rsa --fallback pop.rsa --exclude-bought bought.rsm --recent recent.rse --recent-n 2
