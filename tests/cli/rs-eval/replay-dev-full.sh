# -r with -o on a full disk: exit 1 and no MLflow run is logged.
set -u
. "$ROOT/tests/data/replay/setup.sh"
rs-recommend -k 3 -r r.rsq -H ev.rse -o ans.csv
rs-eval -q -k 3 -o /dev/full --mlflow ml -r r.rsq -H ev.rse ans.csv
echo "exit $?"
if [ -d ml ]; then find ml -name meta.yaml | sed "s|/[0-9a-f]\{32\}/|/RUN/|" | sort; else echo "no mlflow store"; fi
