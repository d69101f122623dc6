# The truth must be a matrix stream.
cd $ROOT/tests/data/eval && rs-eval -t model.csv model.csv
