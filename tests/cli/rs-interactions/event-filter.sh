# --event keeps the listed types only
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --event addtocart,transaction --csv $D/tiny.rse
