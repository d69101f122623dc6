# -v adds the tree report and counts on stderr.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items -v --csv -t tree.rse props1.rse props2.rse >/dev/null
