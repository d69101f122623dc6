# An rs stream given back to rs-load (raw or zstd-framed) is refused by
# name, also with --kind, which used to read its bytes as bad rows.
cp "$ROOT"/tests/data/csv/events.csv .
rs-load -q -o ev.rse events.csv
rs-load -o again.rse ev.rse
echo "exit $?"
rs-load -k events -o again.rse ev.rse
echo "exit $?"
zstd -qdc <ev.rse | rs-load >/dev/null
echo "exit $?"
ls
