# The hand-computed fixture (see tests/unit/test_metrics.c): model
# (CSV), popular baseline (TSV) and the model again as JSON Lines.
cd $ROOT/tests/data/eval && rs-eval -t truth.rsm --train train.rsm -k 1,3 -l model -l popular -l jsonl model.csv popular.tsv model.jsonl
