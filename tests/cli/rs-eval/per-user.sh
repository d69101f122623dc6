cd $ROOT/tests/data/eval && rs-eval -t truth.rsm -k 1,3 -o /dev/null --per-user - model.csv
