# Hand-computed table of the fixtures (tests/data/items/README).
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -t tree.rse props1.rse props2.rse
