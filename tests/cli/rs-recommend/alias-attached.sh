# the alias also takes the attached forms (--requests=FILE, --history=FILE,
# -rFILE, -HFILE) and -m twice with --count, as rs-recommend -r did: the
# same bytes as rs-answer with -m and -p
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
rs-answer -k 3 -m m.rsa -p pop.rsa -b recent:1,als:1,popular:1 \
    -r r.rsq -H ev.rse -o a.csv
rs-recommend --count 3 -m m.rsa -m pop.rsa --blend recent:1,als:1,popular:1 \
    --requests=r.rsq --history=ev.rse >b.csv
cmp a.csv b.csv
rs-recommend --count 3 -m m.rsa -m pop.rsa --blend recent:1,als:1,popular:1 \
    -rr.rsq -Hev.rse | cmp - a.csv
cat a.csv
