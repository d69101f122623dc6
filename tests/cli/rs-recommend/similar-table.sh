# The neighbours table (-f rsk) gives --similar the scan's rows, byte for
# byte: for k below, at and above its N (8), with item lists that drop
# some listed items (so that some lists run short and the scan answers
# them), items pointing the same way (every tenth item is twice the one
# before it: exact ties), and ids the model does not know (the popular
# list).  -v says how many lists the table gave.
. "$ROOT/tests/data/recommend/setup.sh"
awk 'BEGIN {
	s = 4242
	print "als 6"
	print "user 1 1 0 0 0 0 0"
	for (i = 0; i < 400; i++) {
		if (i % 10 != 9)
			for (j = 0; j < 6; j++) {
				s = (s * 1103515245 + 12345) % 2147483648
				v[j] = s / 2147483648 - 0.5
			}
		line = "item " (5 + 2 * i)
		for (j = 0; j < 6; j++)
			line = line " " (i % 10 == 9 ? 2 * v[j] : v[j])
		print line
	}
}' | "$helper" mkmodel sim.rsa
rs-recommend -q --similar -a -f rsk -k 8 -m sim.rsa -o sim.rsk
rs-cat -m neighbors sim.rsk
awk 'BEGIN { for (i = 0; i < 400; i += 3) print 5 + 2 * i }' >drop.txt
awk 'BEGIN { for (i = 0; i < 400; i++) if (i % 7) print 5 + 2 * i }' >only.txt
awk 'BEGIN { for (i = 0; i < 405; i++) print 3 + 2 * i }' >queries.txt
for k in 3 8 11; do
	for f in "" "--exclude-items drop.txt" \
	    "--only-items only.txt --exclude-items drop.txt"; do
		# shellcheck disable=SC2086
		rs-recommend --similar -k $k $f -m sim.rsa --fallback pop.rsa \
		    queries.txt >scan.csv
		# shellcheck disable=SC2086
		rs-recommend -v --similar -k $k $f -m sim.rsa \
		    --fallback pop.rsa --similar-table sim.rsk queries.txt \
		    >table.csv 2>err
		cmp scan.csv table.csv &&
		    echo "k $k ${f:-(no filter)}: identical ($(wc -l <scan.csv) lines), $(sed -n 's/.*similar items: //p' err)"
	done
done
grep -v 'load\|score products\|similar items\|eligible' err
