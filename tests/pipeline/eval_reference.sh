#!/bin/sh
# eval_reference.sh - rs-eval against an independent Python reference on
# random cases (tests/pipeline/eval_reference.py), three seeds.
set -eu
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed"; exit 77; }
for seed in 1 2 3; do
	python3 "$CASEDIR/eval_reference.py" "$ROOT/tests/data/eval" $seed
done
