# An orphan and a cycle in the tree: reported with the record, repaired.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -t badtree.rse props1.rse props2.rse
