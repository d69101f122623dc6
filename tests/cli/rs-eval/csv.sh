cd $ROOT/tests/data/eval && rs-eval -t truth.rsm --train train.rsm -k 3,1 -f csv model.csv popular.tsv
