# setup.sh - sourced by the rs-recommend CLI cases and the pipeline test:
# writes the tiny hand-made fixtures of this directory (README) as streams
# in the current directory.  Models and matrices come from the unit-test
# binary's fixture writer (test_recommend mkmodel / mkmatrix), so the
# cases skip when it has not been built (make check builds it).
set -eu
helper=$ROOT/${O:-build}/tests/test_recommend
if [ ! -x "$helper" ]; then
	echo "skip: $helper not built (make check builds it)" >&2
	exit 77
fi
d=$ROOT/tests/data/recommend
"$helper" mkmodel m.rsa <"$d/model.txt"
"$helper" mkmodel pop.rsa <"$d/popular.txt"
"$helper" mkmatrix bought.rsm <"$d/bought.txt"
"$helper" mkmatrix seen.rsm <"$d/seen.txt"
rs-load -q -o recent.rse "$d/recent.csv"
rs-load -q -o props.rse "$d/props.csv"
rs-load -q -o tree.rse "$d/tree.csv"
rs-clean-items -q -o items.rsi -t tree.rse props.rse
