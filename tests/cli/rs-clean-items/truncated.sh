# A truncated property stream is an error, never fewer items.
. "$ROOT/tests/data/items/setup.sh"
n=$(wc -c <props1.rse)
head -c $((n - 3)) props1.rse >cut.rse
rs-clean-items --csv -t tree.rse cut.rse
