# an events stream is not a matrix
cp $ROOT/tests/data/interactions/tiny.rse .
rs-als-train -o m.rsa tiny.rse
