# The store as MLflow's FileStore reads it (yaml.safe_load of every
# meta.yaml; skipped without PyYAML): two experiments, three runs.
set -eu
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed" >&2; exit 77; }
python3 -c 'import yaml' 2>/dev/null || { echo "PyYAML not installed" >&2; exit 77; }
cd "$ROOT/tests/data/eval"
out=$(mktemp -d "${TMPDIR:-/tmp}/rs-eval-mlflow.XXXXXX")
trap 'rm -rf "$out"' EXIT
USER="o'brien"
export USER
rs-eval -q -t truth.rsm --train train.rsm -k 1,3 -o /dev/null \
    --mlflow "$out/ml" --experiment "123" --model train.rsm \
    popular.tsv model.csv
rs-eval -q -t truth.rsm -k 3 -o /dev/null --mlflow "$out/ml" \
    --run-name "it's: #1" model.csv
python3 "$CASEDIR/mlflow_store.py" "$out/ml"
