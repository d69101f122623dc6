# default weights view=1,addtocart=5,transaction=3, summed (hand-computed)
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --csv $D/tiny.rse
