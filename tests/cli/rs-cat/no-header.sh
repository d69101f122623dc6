rs-cat -H $ROOT/tests/data/streams/1.0/tree.rse
