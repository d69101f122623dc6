rs-eval --param a=1 -t $ROOT/tests/data/eval/truth.rsm $ROOT/tests/data/eval/model.csv
