# --keep-never-available keeps item 200, flagged ever_available=0.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv --keep-never-available -t tree.rse props1.rse props2.rse
