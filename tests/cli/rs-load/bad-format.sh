# --format takes table or tsv, and only with --stats.
rs-load --stats --format csv -o ev.rse "$ROOT/tests/data/csv/events.csv"
echo "exit $?"
rs-load --format tsv -o ev.rse "$ROOT/tests/data/csv/events.csv"
echo "exit $?"
test -e ev.rse || echo "no output"
