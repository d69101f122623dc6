# A property stream may come on standard input, beside files.
. "$ROOT/tests/data/items/setup.sh"
cat props2.rse | rs-clean-items --csv -t tree.rse props1.rse -
