# An empty recommendation file: every visitor of the truth scores zero
# and is counted without recommendations.
cd $ROOT/tests/data/eval && rs-eval -t truth.rsm -k 3 -f csv /dev/null
