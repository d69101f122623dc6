# A missing property stream is a runtime error (exit 1) naming the file.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -t tree.rse props1.rse nothere.rse
