# -q: no messages, no summary; the records are still skipped.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items -q --csv -t tree.rse bad.rse
