# -p must be a popular model, and -p and a popular -m are two popular models
set -eu
. "$ROOT/tests/data/replay/setup.sh"
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
rs-answer -p pop.rsa -m pop.rsa -r r.rsq -H ev.rse || echo "exit $?"
rs-answer -p m.rsa -r r.rsq -H ev.rse
