rs-cat -m seed -m tool $ROOT/tests/data/streams/1.0/tree.rse $ROOT/tests/data/streams/1.0/events-raw.rse
