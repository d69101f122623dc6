# an empty matrix is an error, not an empty model
set -e
rs-interactions -q --since 2030-01-01 -o e.rsm $ROOT/tests/data/interactions/tiny.rse
set +e
rs-als-train -o m.rsa e.rsm
