rs-eval $ROOT/tests/data/eval/model.csv
