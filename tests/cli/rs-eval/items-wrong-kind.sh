# --items wants an item table, not a matrix.
cd $ROOT/tests/data/eval && rs-eval -t truth.rsm --items train.rsm model.csv
