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

# small_disk DIR SIZE: a tmpfs of SIZE mounted on DIR until the test
# exits, for full-disk tests; mount(8) needs root, so the test skips
# (exit 77), saying why, when it cannot mount.
small_disk() {
	mkdir -p "$1"
	if ! mount -t tmpfs -o size="$2" tmpfs "$1" 2>mount.err; then
		echo "cannot mount a tmpfs (needs root): $(cat mount.err)" >&2
		exit 77
	fi
	small_disk_dir=$1
	trap 'umount "$small_disk_dir" 2>/dev/null || umount -l "$small_disk_dir" 2>/dev/null || :' EXIT
}

# fill DIR: fills the file system of DIR to the last byte (DIR/filler).
fill() {
	dd if=/dev/zero of="$1/filler" bs=64k 2>/dev/null || :
	[ "$(df -k "$1" | awk 'NR == 2 { print $4 }')" = 0 ] || fail "'$1' is not full"
}
