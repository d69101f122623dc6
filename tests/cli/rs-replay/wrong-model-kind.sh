# -m takes an ALS model and -p a popular one: the other kind is named
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-interactions -q -o m.rsm ev.rse
rs-als-train -q -m popular -o pop.rsa m.rsm
rs-als-train -q -f 2 -i 1 -o als.rsa m.rsm
rs-replay -q -r r.rsq -H ev.rse -m pop.rsa >/dev/null || echo "exit $?"
rs-replay -q -r r.rsq -H ev.rse -p als.rsa >/dev/null || echo "exit $?"
