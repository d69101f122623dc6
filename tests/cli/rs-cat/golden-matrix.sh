rs-cat $ROOT/tests/data/streams/1.0/matrix.rsm
