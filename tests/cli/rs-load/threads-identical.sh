# About 3 MiB of props, so several 1 MiB chunks, with quoted values that
# hold newlines (some across chunk cuts) and bad rows: the stream is the
# same bytes and the messages the same lines whatever the thread count,
# and line numbers count the quoted newlines.
set -e
awk 'BEGIN {
	print "timestamp,itemid,property,value"; line = 1
	for (i = 0; i < 60000; i++) {
		if (i % 997 == 0) { printf "%d,%d,888,\"two\nlines\"\n", i, i; line += 2 }
		else if (i % 20011 == 0) { printf "%d,x%d,888,1\n", i, i; line++; print line >"want" }
		else { printf "%d,%d,%d,n%d.000 %d %d\n", 1431226800000 + i, i * 7, i % 1104, i, i * 3, i * 11; line++ }
	}
}' >t.csv
for j in 0 1 2 4; do
	rs-load -t $j -o x.rse t.csv 2>err$j
	mv x.rse x$j.rse
done
cmp x0.rse x1.rse
cmp x0.rse x2.rse
cmp x0.rse x4.rse
cmp err0 err2
cmp err0 err4
cat err0
sed 's/^/bad line should be /' want
# Back to CSV: the input less its two bad rows.
grep -v ',x[0-9]*,888,1$' t.csv >good.csv
rs-cat x2.rse | cmp - good.csv
wc -l <good.csv
