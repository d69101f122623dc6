# Shared by tests/pipeline/retrain_*.sh (sourced): tiny seeded data, a
# configuration for it, and the check that current is a complete,
# loadable release.  Runs in the test's temporary directory.
R="$ROOT/scripts/rs-retrain"
OPENBLAS_NUM_THREADS=1
export OPENBLAS_NUM_THREADS

# gen_data [scale]: Retailrocket-shaped CSV in ./data (seeded).
gen_data() {
	rs-synth -q -s "${1:-0.005}" -S 1 -o data
}

# write_conf FILE OUTDIR [key=value...]: a configuration for ./data with
# few ALS iterations, so that a run takes seconds.
write_conf() {
	f=$1 o=$2
	shift 2
	{
		echo "# rs-retrain test configuration"
		echo "data_dir = $PWD/data"
		echo "output_dir = $o"
		echo "metrics_file = $PWD/rs-retrain.prom"
		echo "iterations = 3"
		echo "factors = 16"
		echo "threads = 2"
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
}

# check_current OUTDIR: current is absent or a complete, loadable release.
check_current() {
	[ -e "$1/current" ] || [ ! -L "$1/current" ] ||
	    { echo "dangling current: $(readlink "$1/current")"; return 1; }
	[ -L "$1/current" ] || return 0
	[ -f "$1/current/COMPLETE" ] || { echo "current lacks COMPLETE: $(readlink "$1/current")"; return 1; }
	for s in als.rsa popular.rsa items.rse; do
		rs-cat --info "$1/current/$s" >/dev/null ||
		    { echo "current/$s does not load"; return 1; }
	done
	[ -s "$1/current/metrics.csv" ] && [ -s "$1/current/release.env" ] ||
	    { echo "current lacks metrics or release.env"; return 1; }
}

fail() { echo "FAIL: $*"; exit 1; }
