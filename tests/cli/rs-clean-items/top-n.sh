# -n 2 keeps two numeric properties per category: 8 goes from category 11.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -n 2 -t tree.rse props1.rse props2.rse
