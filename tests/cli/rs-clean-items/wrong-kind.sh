# A tree stream given as properties is refused by kind.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -t tree.rse tree.rse
