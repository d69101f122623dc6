# a rank out of order (2 before 1)
set -eu
. "$ROOT/tests/data/replay/setup.sh"
printf 'request\titem\trank\n2\t100\t2\n2\t101\t1\n' >a.tsv
rs-eval -r r.rsq -H ev.rse a.tsv
