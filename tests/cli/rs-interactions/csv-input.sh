# CSV where a stream is expected
set -eu
D=$ROOT/tests/data/interactions
cp $D/tiny.csv .
rs-interactions tiny.csv
