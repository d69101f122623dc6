# A full disk is an error (exit 1), never a silent short output.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -t tree.rse props1.rse props2.rse >/dev/full
