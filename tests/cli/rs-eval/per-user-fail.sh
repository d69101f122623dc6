# --per-user on a full disk with -o FILE: exit 1, FILE is not replaced and
# no MLflow run is logged.
D=$ROOT/tests/data/eval
echo old >out.csv
rs-eval -q -t $D/truth.rsm -k 1,3 --per-user /dev/full --mlflow ml \
    -o out.csv $D/model.csv
echo "exit $?"
cat out.csv
ls -A | grep -v "^\.std\(out\|err\)$"
if [ -d ml ]; then find ml -name meta.yaml | sed "s|/[0-9a-f]\{32\}/|/RUN/|" | sort; else echo "no mlflow store"; fi
