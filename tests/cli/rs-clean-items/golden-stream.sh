# The default output is an item-table stream: three tables and as_of.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items -o items.rsi -t tree.rse props1.rse props2.rse
rs-cat items.rsi
rs-cat -i items.rsi | grep -Ev '^meta	(argv|version)'
