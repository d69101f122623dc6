rs-eval -f xml -t truth.rsm model.csv
