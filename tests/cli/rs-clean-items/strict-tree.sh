# --strict makes a bad tree record fatal.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --strict --csv -t badtree.rse props1.rse
