# -n 0 keeps no numeric property at all.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv --top 0 -t tree.rse props1.rse props2.rse
