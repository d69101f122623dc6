# --items given an event stream
set -eu
D=$ROOT/tests/data/interactions
cp $D/tiny.rse .
rs-interactions --items tiny.rse tiny.rse
