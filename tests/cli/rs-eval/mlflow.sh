# The MLflow file store, file by file: two runs (baseline and model) in a
# new experiment, then a third run that finds the experiment by name.
# Run ids, times and the store's absolute path are normalised.
set -eu
cd "$ROOT/tests/data/eval"
out=$(mktemp -d "${TMPDIR:-/tmp}/rs-eval-mlflow.XXXXXX")
trap 'rm -rf "$out"' EXIT
USER=tester
export USER
rs-eval -q -t truth.rsm --train train.rsm -k 1,3 -o /dev/null \
    --mlflow "$out/ml" --experiment nightly --run-name r1 --model train.rsm \
    --param alpha=0.5 --param tool=mine popular.tsv model.csv
rs-eval -q -t truth.rsm -k 3 -o /dev/null --mlflow "$out/ml" \
    --experiment nightly model.csv
cd "$out"
here=$(cd ml && pwd)
norm() {
	sed -E "s|$here|STORE|g; s/[0-9a-f]{32}/RUNID/g;
	    s/^([a-z_]*time: )[0-9]+\$/\1TIME/; s/^[0-9]+ /TIME /"
}
echo "store: $(cd ml && ls -A | tr '\n' ' ')"
echo "experiments:"
for e in 0 1; do
	echo "--- $e/meta.yaml"
	norm <ml/$e/meta.yaml
done
for d in ml/1/*/; do
	d=${d%/}
	id=${d##*/}
	# The directory is the run id the meta.yaml names, twice.
	[ "$(grep -c "^run_id: $id\$\|^run_uuid: $id\$" $d/meta.yaml)" = 2 ]
	start=$(sed -n 's/^start_time: //p' $d/meta.yaml)
	end=$(sed -n 's/^end_time: //p' $d/meta.yaml)
	[ "$end" -ge "$start" ]
	for m in $d/metrics/*; do
		ts=$(cut -d' ' -f1 <$m)
		[ "$ts" -ge "$start" ] && [ "$ts" -le "$end" ]
	done
	echo "$(cat $d/tags/mlflow.runName) $d"
done | sort | while read -r name d; do
	echo "=== run $name"
	(cd $d && find . -type f | sort) | while read -r f; do
		case $f in
		./artifacts/*) echo "--- $f: $(wc -l <$d/$f) lines" ;;
		*) echo "--- $f"; norm <$d/$f; echo ;;
		esac
	done
done
