# a full disk is exit 1
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --csv $D/tiny.rse >/dev/full
