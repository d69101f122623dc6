# -m as rs-recommend -r took it: a popular model given with -m is the
# popular source, as with -p, and -m twice is one als and one popular
# model, as -m and -p; both the same bytes, and other bytes than the
# causal counts
set -eu
. "$ROOT/tests/data/replay/setup.sh"
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
rs-answer -k 3 -b popular -p pop.rsa -r r.rsq -H ev.rse -o p.csv
rs-answer -k 3 -b popular -m pop.rsa -r r.rsq -H ev.rse -o m.csv
cmp p.csv m.csv
rs-answer -k 3 -b popular -r r.rsq -H ev.rse | cmp -s - p.csv && exit 1
rs-answer -k 3 -b recent:1,als:1,popular:1 -m m.rsa -p pop.rsa \
    -r r.rsq -H ev.rse -o mp.csv
rs-answer -k 3 -b recent:1,als:1,popular:1 -m pop.rsa -m m.rsa \
    -r r.rsq -H ev.rse -o mm.csv
cmp mp.csv mm.csv
cat mp.csv
