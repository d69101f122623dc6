# events at or after --until change nothing, new visitors and items included
set -eu
D=$ROOT/tests/data/interactions
rs-interactions -q --until 8000 --csv $D/tiny-early.rse >early.csv
rs-interactions -q --until 8000 --csv $D/tiny-late.rse >late.csv
rs-interactions -q --until 8000 --csv $D/tiny.rse >tiny.csv
cmp early.csv late.csv && cmp early.csv tiny.csv && cat late.csv
