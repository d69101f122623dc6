# an unknown option is a usage error
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --frobnicate $D/tiny.rse
