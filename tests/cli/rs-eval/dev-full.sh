# A full disk is an error (exit 1), never a silent short output.
rs-eval -t $ROOT/tests/data/eval/truth.rsm $ROOT/tests/data/eval/model.csv >/dev/full
