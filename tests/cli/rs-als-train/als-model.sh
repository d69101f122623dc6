# the ALS model: tables, factor count, metadata keys, finite values
set -e
rs-interactions -q -o t.rsm $ROOT/tests/data/interactions/tiny.rse
rs-als-train -f 3 -i 4 -o m.rsa t.rsm
rs-cat -i m.rsa | grep -v -E "^meta.(argv|version|loss)"
rs-cat m.rsa | grep -c -i -E "nan|inf" || true
