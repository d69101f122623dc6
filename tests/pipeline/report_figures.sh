# rs-report on generated data and a real rs-retrain run: every SVG file
# and the page are well-formed XML (xmllint); each figure is in the page
# with the right series drawn from the right numbers (report_figures.py
# reads the inputs and the markup); the page fetches nothing and holds no
# script; a second run gives the same bytes.
set -eu
command -v xmllint >/dev/null 2>&1 ||
    { echo "xmllint not installed (Debian package libxml2-utils)" >&2; exit 77; }
PATH=$ROOT/scripts:$PATH
fail() { echo "FAIL: $*"; exit 1; }

rs-synth -q -s 0.01 -S 3 -o data
rs-load -q -s --format tsv -o events.rse data/events.csv >eda.tsv
rs-load -q -o props.rse data/item_properties_part1.csv data/item_properties_part2.csv
rs-interactions -q --until end-14d -o train.rsm events.rse
t=$(rs-cat -m until train.rsm)
rs-interactions -q --since "$t" -e addtocart -b -o test.rsm events.rse
rs-als-train -q -m popular -o popular.rsa train.rsm
rs-als-train -q -f 8 -i 3 -o als.rsa train.rsm
rs-recommend -q -m popular.rsa --users-from test.rsm -k 20 -o popular.csv
rs-recommend -q -m als.rsa --fallback popular.rsa --users-from test.rsm -k 20 -o als.csv
rs-eval -q -f csv -o eval.csv -t test.rsm --train train.rsm -k 5,10,20 \
    -l popular -l als --mlflow mlruns popular.csv als.csv
rs-requests -q --since "$t" -o requests.rsq events.rse
rs-knn-train -q --until "$t" -o knn.rsk events.rse
rs-replay -q -r requests.rsq -H events.rse -A props.rse -p popular.rsa -n knn.rsk \
    -m als.rsa -k 10,20 -b recent:5,itemknn:5 --format csv -o replay.csv

# A real retrain: its MLflow store and its release.
. "$ROOT/tests/data/retrain/lib.sh"
gen_data 0.002
write_conf c.conf "$PWD/models" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "metrics_file = none"
"$R" -q -c c.conf || fail "rs-retrain exited $?"

set -- --eda eda.tsv --eval eval.csv --replay replay.csv --mlflow mlruns \
    --releases models
rs-report -o report.html "$@" || fail "rs-report exited $?"
rs-report -q -o retrain.html --mlflow models/mlruns || fail "rs-report (retrain) exited $?"
for f in report.html retrain.html report-figures/*.svg retrain-figures/*.svg; do
	xmllint --noout "$f" || fail "$f: not well-formed XML"
done
ls report-figures retrain-figures

# Nothing is fetched, nothing runs: no script, and every link is to the
# page itself or a data: URL.
grep -qi '<script' report.html && fail "a script in the page"
grep -o '\(src\|href\)="[^"]*"' report.html | grep -v '="#' | grep -v '="data:' &&
    fail "the page links to a file or the network"
grep -q 'url(\|@import' report.html && fail "the style fetches something"

python3 "$ROOT/tests/pipeline/report_figures.py" || fail "figures"

# The same inputs, the same bytes.
mkdir again
rs-report -o again/report.html --svg-dir again/figs "$@"
cmp report.html again/report.html || fail "a second run made another page"
for f in report-figures/*.svg; do
	cmp "$f" "again/figs/${f#report-figures/}" || fail "$f differs the second time"
done
echo "report figures ok"
