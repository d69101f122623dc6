rs-cat -d tab $ROOT/tests/data/streams/1.0/tree-raw.rse
