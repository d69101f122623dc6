# The header of a 2.0 model: its version and its extents.
rs-cat -i $ROOT/tests/data/streams/2.0/model-als.rsa
