# --per-user FILE with -o on a full disk: exit 1, FILE is not replaced
# and no MLflow run is logged (outputs are committed all or none, rs(7)).
D=$ROOT/tests/data/eval
echo old >p.csv
rs-eval -q -t $D/truth.rsm -k 1,3 --per-user p.csv --mlflow ml -o /dev/full \
    $D/model.csv
echo "exit $?"
cat p.csv
ls -A | grep -v "^\.std\(out\|err\)$"
if [ -d ml ]; then find ml -name meta.yaml | sed "s|/[0-9a-f]\{32\}/|/RUN/|" | sort; else echo "no mlflow store"; fi
