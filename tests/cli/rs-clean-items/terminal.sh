# A binary stream is never written to a terminal; CSV would be.
. "$ROOT/tests/data/items/setup.sh"
command -v script >/dev/null || { echo 'skip: script(1) not found' >&2; exit 77; }
script -qec 'rs-clean-items -t tree.rse props1.rse' /dev/null | tr -d '\r'
