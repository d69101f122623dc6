# --visitors takes every event type; --at only goes with --visitors
set -eu
D=$ROOT/tests/data/replay
rs-requests --visitors -e view x.rse || echo "exit $?"
rs-requests --at end x.rse
