# The neighbours table does not depend on the thread count: the same
# rows and the same metadata, argv aside; the same arguments give the
# same bytes.  1300 items: three batches of 512, shared by three threads.
. "$ROOT/tests/data/recommend/setup.sh"
awk 'BEGIN {
	s = 777
	print "als 5"
	print "user 1 1 0 0 0 0"
	for (i = 0; i < 1300; i++) {
		line = "item " (10 + 3 * i)
		for (j = 0; j < 5; j++) {
			s = (s * 1103515245 + 12345) % 2147483648
			line = line " " (s / 2147483648 - 0.5)
		}
		print line
	}
}' | "$helper" mkmodel big.rsa
rs-recommend -q --similar -a -f rsk -m big.rsa -o t1.rsk
mv t1.rsk first.rsk
rs-recommend -q --similar -a -f rsk -m big.rsa -o t1.rsk
rs-recommend -q --similar -a -f rsk -m big.rsa -t 3 -o t3.rsk
cmp first.rsk t1.rsk && echo "same arguments: same bytes"
rs-cat t1.rsk >t1.csv
rs-cat t3.rsk >t3.csv
cmp t1.csv t3.csv && echo "1 and 3 threads: same rows ($(wc -l <t1.csv) lines)"
rs-cat -i t1.rsk | grep -v '^meta	argv' >i1
rs-cat -i t3.rsk | grep -v '^meta	argv' >i3
cmp i1 i3 && echo "1 and 3 threads: same header, argv aside"
grep -v als_digest i1
grep -q '^meta	als_digest	[0-9a-f]\{8\}$' i1 && echo "an als_digest of 8 hex digits"
# the table's lists are the scan's: the first 50 rows of item 10
rs-recommend -q --similar -k 50 -m big.rsa --similar-table t3.rsk - <<IDS >a.csv
10
IDS
echo 10 | rs-recommend -q --similar -k 50 -m big.rsa >b.csv
cmp a.csv b.csv && echo "item 10: the table's rows are the scan's"
