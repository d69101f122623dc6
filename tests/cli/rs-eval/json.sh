# No --train: coverage, novelty and popularity are null.
cd $ROOT/tests/data/eval && rs-eval -t truth.rsm -k 3 --format json model.csv
