# A cut stream is an error, never a smaller truth.
f=$ROOT/tests/data/eval/truth.rsm
head -c $(($(wc -c <"$f") - 3)) "$f" | rs-eval -t - $ROOT/tests/data/eval/model.csv
