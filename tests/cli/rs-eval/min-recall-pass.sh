cd $ROOT/tests/data/eval && rs-eval -t truth.rsm -k 3 -f csv --min-recall 3:0.5 model.csv
