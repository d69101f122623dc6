# -m takes an ALS model and -p a popular one: the other kind is named
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-interactions -q -o m.rsm ev.rse
rs-als-train -q -m popular -o pop.rsa m.rsm
rs-als-train -q -f 2 -i 1 -o als.rsa m.rsm
rs-replay -q -r r.rsq -H ev.rse -m pop.rsa >/dev/null || echo "exit $?"
rs-replay -q -r r.rsq -H ev.rse -p als.rsa >/dev/null || echo "exit $?"
