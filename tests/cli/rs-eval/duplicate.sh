cd $ROOT/tests/data/eval && rs-eval -t truth.rsm dup.csv
