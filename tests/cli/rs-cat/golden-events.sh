rs-cat $ROOT/tests/data/streams/1.0/events.rse $ROOT/tests/data/streams/1.0/events-raw.rse
