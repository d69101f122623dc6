# A property stream given as the tree is refused by kind.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -t props1.rse props1.rse
