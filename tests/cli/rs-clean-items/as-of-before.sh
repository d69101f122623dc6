# Before any record: nothing is seen, an empty table.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -a 999 -t tree.rse props1.rse props2.rse
