# One label per recommendation file, or none.
rs-eval -l a -t $ROOT/tests/data/eval/truth.rsm $ROOT/tests/data/eval/model.csv $ROOT/tests/data/eval/popular.tsv
