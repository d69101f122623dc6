# make install into a temporary DESTDIR installs rs-retrain beside the
# tools with its man page; the installed rs-retrain finds the installed
# tools with a cron-like PATH and publishes a release; the systemd units
# pass systemd-analyze verify (when installed); make uninstall removes
# everything again.
set -eu
. "$ROOT/tests/data/retrain/lib.sh"
dest=$PWD/stage
make -s -C "$ROOT" O="$O" install DESTDIR="$dest" PREFIX=/opt/rs >/dev/null
bin=$dest/opt/rs/bin
test -x "$bin/rs-retrain" || fail "rs-retrain not installed"
test -f "$dest/opt/rs/share/man/man1/rs-retrain.1" || fail "rs-retrain.1 not installed"
# The examples, once the Makefile installs contrib/ (DOCDIR/examples).
if grep -q contrib "$ROOT/Makefile"; then
	for f in rs-retrain.cron rs-retrain.service rs-retrain.timer retrain.conf.example; do
		test -f "$dest/opt/rs/share/doc/rs/examples/$f" || fail "example $f not installed"
	done
else
	echo "note: the Makefile does not install contrib/ yet"
fi

# cron's PATH: the installed tools are found beside rs-retrain.
v=$(env -i PATH=/usr/bin:/bin "$bin/rs-retrain" --version)
case $v in "rs-retrain (rs) "[0-9]*) ;; *) fail "--version: $v" ;; esac
gen_data 0.002
write_conf c.conf "$PWD/models" "baselines =" "tolerance = 1" "iterations = 2" \
    "factors = 8" "mlflow_dir = none"
env -i PATH=/usr/bin:/bin OPENBLAS_NUM_THREADS=1 "$bin/rs-retrain" -c c.conf ||
    fail "the installed rs-retrain exited $?"
PATH=$bin:/usr/bin:/bin check_current models
grep -q "rs-load" models/current/run.log || fail "run log"

# The systemd units as shipped, ExecStart pointed at the staged binary.
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir units
	sed "s|/usr/local/bin/rs-retrain|$bin/rs-retrain|" "$ROOT/contrib/rs-retrain.service" >units/rs-retrain.service
	cp "$ROOT/contrib/rs-retrain.timer" units/
	(cd units && MANPATH=$dest/opt/rs/share/man systemd-analyze verify ./rs-retrain.timer ./rs-retrain.service) ||
	    fail "systemd-analyze verify"
else
	echo "note: systemd-analyze not installed, units not verified"
fi
# The cron.d example: one job line, six fields before the command, user rs.
n=$(grep -c '^[0-9*]' "$ROOT/contrib/rs-retrain.cron")
[ "$n" -eq 1 ] || fail "cron example has $n job lines"
grep '^[0-9*]' "$ROOT/contrib/rs-retrain.cron" | awk '$6 != "rs" || $7 != "chronic" || $NF != "-q" { exit 1 }' ||
    fail "cron job line"

make -s -C "$ROOT" O="$O" uninstall DESTDIR="$dest" PREFIX=/opt/rs >/dev/null
left=$(find "$dest" -type f | wc -l)
[ "$left" -eq 0 ] || { find "$dest" -type f; fail "uninstall left $left files"; }
echo "install ok"
