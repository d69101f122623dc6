# A full disk is an error (exit 1), never a silent short output.
rs-cat $ROOT/tests/data/streams/1.0/events.rse >/dev/full
