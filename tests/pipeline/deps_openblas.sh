#!/bin/sh
# scripts/check-deps detects OpenBLAS itself, not any cblas.h: with Debian's
# reference BLAS header present but no openblas pkg-config entry, it names
# libopenblas-dev (RS_NO_INSTALL=1, so nothing is installed here).  The
# whole fresh-machine case (libblas-dev present, libopenblas-dev absent,
# `make` installs it and builds) is a step of .ci/run.
set -eu
fake=$PWD/fakebin
mkdir -p "$fake"
# A pkg-config that knows every package but openblas.
cat >"$fake/pkg-config" <<'PC'
#!/bin/sh
for a; do [ "$a" = openblas ] && exit 1; done
exec /usr/bin/pkg-config "$@"
PC
chmod +x "$fake/pkg-config"
if RS_NO_INSTALL=1 PKG_CONFIG="$fake/pkg-config" sh "$ROOT/scripts/check-deps" 2>err; then
	echo "check-deps passed without an openblas entry"; cat err; exit 1
fi
grep -q 'missing build dependencies:.*libopenblas-dev' err || { cat err; exit 1; }
# And with the real pkg-config (the build just used it) it passes.
RS_NO_INSTALL=1 sh "$ROOT/scripts/check-deps"
