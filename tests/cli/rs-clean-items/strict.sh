# --strict: the first bad record is fatal (exit 1), nothing is written.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --strict -o out.csv --csv -t tree.rse props1.rse bad.rse
test ! -e out.csv
