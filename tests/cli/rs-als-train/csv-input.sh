# CSV where a matrix stream is expected
cp $ROOT/tests/data/interactions/tiny.csv .
rs-als-train -o m.rsa tiny.csv
