rs-eval -t $ROOT/tests/data/eval/truth.rsm nonexistent.csv
