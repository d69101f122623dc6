# -j is the old, undocumented spelling of -t/--threads: still accepted,
# and like -t it stays out of the recorded argv, so the bytes agree.
set -e
ev=$ROOT/tests/data/csv/events.csv
rs-load -t 2 -o x.rse $ev && mv x.rse t.rse
rs-load -j 2 -o x.rse $ev && mv x.rse j.rse
rs-load -j2 -o x.rse $ev && mv x.rse j2.rse
rs-load --threads=2 -o x.rse $ev && mv x.rse l.rse
rs-load -o x.rse $ev && mv x.rse none.rse
cmp t.rse j.rse
cmp t.rse j2.rse
cmp t.rse l.rse
cmp t.rse none.rse
rs-cat -m argv t.rse
