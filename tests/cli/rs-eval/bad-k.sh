# Every cut-off is checked like any number.
rs-eval -k 5,x -t $ROOT/tests/data/eval/truth.rsm $ROOT/tests/data/eval/model.csv
