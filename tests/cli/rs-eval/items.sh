# --items gives the catalogue size (here 4 items, fixture of rs-clean-items).
cd $ROOT/tests/data/eval && rs-eval -t truth.rsm --items items.rsi -k 1,3 -f csv model.csv
