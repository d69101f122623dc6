# recall@3 of the last file (the model) is 0.583: below 0.6 exits 4
# after writing the results.
cd $ROOT/tests/data/eval && rs-eval -t truth.rsm -k 3 -f csv --min-recall 3:0.6 popular.tsv model.csv
