# a cut request stream is an error, never fewer requests
set -eu
. "$ROOT/tests/data/replay/setup.sh"
n=$(wc -c <r.rsq)
head -c $((n - 5)) r.rsq >cut.rsq
rs-answer -r cut.rsq -H ev.rse
