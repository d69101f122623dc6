# an unknown event name in --weights
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --weights view=1,click=2 $D/tiny.rse
