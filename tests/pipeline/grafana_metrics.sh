# contrib/grafana/rs.json cannot drift from the code: every metric name
# the dashboard queries (panels and template variables) is one that rs
# emits, read from the .prom file of a real rs-retrain run and from a
# real /metrics scrape of rs-serve on 127.0.0.1 port 0 (a histogram's
# _bucket, _sum and _count count as its name).  The JSON is a dashboard
# whose panels all use the Prometheus data source variable, and with
# promtool every expression parses as PromQL.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
gen_data 0.002
write_conf c.conf "$PWD/models" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none"
"$R" -q -c c.conf || fail "rs-retrain exited $?"
[ -s rs-retrain.prom ] || fail "rs-retrain wrote no metrics file"
exec python3 "$ROOT/tests/pipeline/grafana_metrics.py" rs-retrain.prom
