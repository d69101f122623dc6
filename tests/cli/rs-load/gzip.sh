# A gzip file is named as such, not an "unrecognised header" of binary.
cp "$ROOT"/tests/data/csv/events.csv .
if command -v gzip >/dev/null; then
	gzip -n events.csv
else
	printf '\037\213\010\000\000\000\000\000\000\003' >events.csv.gz
fi
rs-load -o ev.rse events.csv.gz
echo "exit $?"
rs-load -k events events.csv.gz >/dev/null
echo "exit $?"
