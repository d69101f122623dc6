# -s -o with the report going to a full standard output: exit 1, and the
# -o file is not replaced (outputs are committed all or none, rs(7)).
cp "$ROOT"/tests/data/csv/events.csv .
echo old >ev.rse
rs-load -q -s -o ev.rse events.csv >/dev/full
echo "exit $?"
if [ "$(cat ev.rse)" = old ]; then echo "ev.rse unchanged"; else echo "ev.rse replaced"; fi
ls -A | grep -v "^\.std\(out\|err\)$"
