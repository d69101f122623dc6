# setup.sh - sourced by the rs-clean-items CLI cases: loads the tiny
# fixtures of this directory into streams in the current directory with
# rs-load (tree.rse, props1.rse, props2.rse, bad.rse, badtree.rse).
# Expected tables for them are hand-computed in the cases' .stdout files;
# README gives the reasoning.
set -eu
for f in tree badtree props1 props2 bad; do
	rs-load -q -o $f.rse "$ROOT/tests/data/items/$f.csv" 2>/dev/null
done
