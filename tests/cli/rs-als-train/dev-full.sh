# a full disk is an error (exit 1), never a silent short model
set -e
rs-interactions -q -o t.rsm $ROOT/tests/data/interactions/tiny.rse
set +e
rs-als-train -f 4 -i 2 t.rsm >/dev/full
