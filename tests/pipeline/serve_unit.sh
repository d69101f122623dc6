# contrib/rs-serve.service is a unit systemd accepts (systemd-analyze
# verify, with ExecStart pointed at the built rs-serve); skipped where
# systemd-analyze is absent.
set -eu
command -v systemd-analyze >/dev/null 2>&1 || { echo "skip: no systemd-analyze"; exit 77; }
sed "s,/usr/local/bin/rs-serve,$(command -v rs-serve)," \
    "$ROOT/contrib/rs-serve.service" >rs-serve.service
systemd-analyze verify --man=no rs-serve.service
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' rs-serve.service
