rs-cat -m nope $ROOT/tests/data/streams/1.0/tree.rse
