# the default protocol at T = 8000 ms: train, test, already bought
set -eu
D=$ROOT/tests/data/interactions
rs-interactions -q --until 8000 --csv $D/tiny.rse
rs-interactions -q --since 8000 --event addtocart --csv $D/tiny.rse
rs-interactions -q --until 8000 --event transaction --binary --csv $D/tiny.rse
