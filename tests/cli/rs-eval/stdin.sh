# Standard input, format from the content (TSV).
rs-eval -t $ROOT/tests/data/eval/truth.rsm -k 3 -f csv - <$ROOT/tests/data/eval/popular.tsv
