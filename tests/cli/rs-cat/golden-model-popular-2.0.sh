# A 2.0 golden model reads back (the same rows as its 1.0 twin).
rs-cat $ROOT/tests/data/streams/2.0/model-popular.rsa
