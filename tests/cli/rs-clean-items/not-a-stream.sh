# CSV where a stream is expected: told to go through rs-load.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -t tree.rse "$ROOT/tests/data/items/props1.csv"
