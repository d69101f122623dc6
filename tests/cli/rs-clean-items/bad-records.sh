# Bad records are reported with their record, skipped, and counted.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv -t tree.rse props1.rse props2.rse bad.rse
