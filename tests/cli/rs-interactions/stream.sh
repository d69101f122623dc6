# the matrix stream: rows, cols, entries tables and metadata
set -eu
D=$ROOT/tests/data/interactions
cp $D/tiny.rse .
rs-interactions -q -o m.rsm tiny.rse
rs-cat m.rsm
rs-cat -i m.rsm | grep -v -e "^meta	argv" -e "^meta	version"
