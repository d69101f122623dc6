# --as-of 2500: the catalogue as it was then (tests/data/items/README).
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -a 2500 -t tree.rse props1.rse props2.rse
