# the table's note says which filters were in force and what a request
# knows; CSV and JSON rows carry no note
set -eu
. "$ROOT/tests/data/replay/setup.sh"
cat >p.csv <<'CSV'
timestamp,itemid,property,value
100,100,available,0
100,100,categoryid,3
CSV
printf 'categoryid,parentid\n3,\n' >tree.csv
rs-load -q -o p.rse p.csv
rs-load -q -o tree.rse tree.csv
rs-clean-items -q --keep-never-available -t tree.rse -o items.rsi p.rse
rs-replay -q -k 5 -r r.rsq -H ev.rse | grep '^note' || true
echo --
rs-replay -q -k 5 -r r.rsq -H ev.rse --keep-bought -i items.rsi -A p.rse |
    grep '^note'
echo --
rs-replay -q -k 5 -r r.rsq -H ev.rse -A p.rse | tail -n 3
echo --
rs-replay -q -k 5 -r r.rsq -H ev.rse -i items.rsi --format csv | grep -c note || true
rs-replay -q -k 5 -r r.rsq -H ev.rse -i items.rsi --format json | grep -c note || true
