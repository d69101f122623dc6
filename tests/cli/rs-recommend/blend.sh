# 100's recent items known to the model: 4 (newest), 6.  Online list:
# the best cosine to 4 or 6 (each not counting itself): 5, then 2, 4, 6
# tied; offline: the ALS list minus bought 1 and 3.  The blend
# online:1,als:1,popular:0 takes rounds of one online and one offline row,
# skipping items already taken.  777 has no ALS row: its online items,
# then popular back-fill; 555 has neither: popular.
. "$ROOT/tests/data/recommend/setup.sh"
printf '100\n777\n555\n' | rs-recommend -k 4 -m m.rsa --fallback pop.rsa --exclude-bought bought.rsm --recent recent.rse --recent-n 2
