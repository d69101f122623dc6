# a cut-off too large for any integer type is out of range, not wrapped
rs-eval -k 99999999999999999999 -t $ROOT/tests/data/eval/truth.rsm $ROOT/tests/data/eval/model.csv
