rs-cat --info $ROOT/tests/data/streams/1.0/props.rse
