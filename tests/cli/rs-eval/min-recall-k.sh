rs-eval --min-recall 7:0.1 -t $ROOT/tests/data/eval/truth.rsm $ROOT/tests/data/eval/model.csv
