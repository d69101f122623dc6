# -r with --mlflow: one run per file, its params and metrics
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-answer -k 3 -r r.rsq -H ev.rse -o ans.csv
out=$(mktemp -d "${TMPDIR:-/tmp}/rs-eval-mlflow.XXXXXX")
trap 'rm -rf "$out"' EXIT
USER=tester
export USER
rs-eval -q -k 3 -o /dev/null --mlflow "$out/ml" -r r.rsq -H ev.rse -l blend ans.csv
cd "$out"/ml/0
for d in */; do
	d=${d%/}
	[ -f $d/meta.yaml ] || continue
	(cd $d && find params metrics tags artifacts -type f | sort)
	for m in $d/metrics/hit_rate_at_3 $d/metrics/discovery_hit_rate_at_3 $d/metrics/requests $d/metrics/answered; do
		echo "${m##*/}: $(cut -d' ' -f2 <$m)"
	done
	echo "eval.requests: $(cat $d/params/eval.requests)"
done
