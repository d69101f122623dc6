# make install into a staging DESTDIR puts every tool, script and man page
# where PREFIX says, the installed tools run, and make uninstall removes
# exactly what was installed.
set -eu
dest=$PWD/stage
make -s -C "$ROOT" O="$O" install DESTDIR="$dest" PREFIX=/opt/rs >/dev/null
for t in "$ROOT/$O"/bin/rs-* "$ROOT"/scripts/rs-*; do
	n=$(basename "$t")
	test -x "$dest/opt/rs/bin/$n" || { echo "missing bin/$n"; exit 1; }
	"$dest/opt/rs/bin/$n" --version | grep -q "^$n (rs) " ||
	    { echo "$n --version wrong"; exit 1; }
	test -f "$dest/opt/rs/share/man/man1/$n.1" || { echo "missing man1/$n.1"; exit 1; }
done
test -f "$dest/opt/rs/share/man/man5/rs-stream.5"
test -f "$dest/opt/rs/share/man/man7/rs.7"
# contrib/ and its subdirectories (contrib/grafana/rs.json), as they are.
for e in $(cd "$ROOT/contrib" && find . -type f | sed 's|^\./||'); do
	test -f "$dest/opt/rs/share/doc/rs/examples/$e" ||
	    { echo "missing example $e"; exit 1; }
done
# Installed tools work without the build tree: a stream round trip.
"$dest/opt/rs/bin/rs-cat" --info "$ROOT/tests/data/streams/1.0/tree.rse" | grep -q '^kind	tree$'
make -s -C "$ROOT" O="$O" uninstall DESTDIR="$dest" PREFIX=/opt/rs >/dev/null
left=$(find "$dest" -type f | wc -l)
[ "$left" -eq 0 ] || { echo "uninstall left $left files:"; find "$dest" -type f; exit 1; }
echo "install and uninstall ok"
