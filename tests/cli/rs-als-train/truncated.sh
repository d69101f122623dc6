# a matrix stream cut short is an error, never a smaller matrix
set -e
rs-interactions -q -o t.rsm $ROOT/tests/data/interactions/tiny.rse
head -c 60 t.rsm > cut.rsm
set +e
rs-als-train -o m.rsa cut.rsm
