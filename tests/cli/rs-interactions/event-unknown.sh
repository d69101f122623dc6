# an unknown event name in --event
set -eu
D=$ROOT/tests/data/interactions
rs-interactions -e purchase $D/tiny.rse
