# outputs are committed all or none: when the answers cannot be written,
# the table given with -o is not replaced either
set -eu
. "$ROOT/tests/data/replay/setup.sh"
echo old >t.txt
status=0
rs-replay -q -r r.rsq -H ev.rse -a /dev/full -o t.txt || status=$?
echo "exit $status"
cat t.txt
ls -a | grep -c '^\.t\.txt' || true
