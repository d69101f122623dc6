# --shard i/n outputs concatenated hold exactly the unsharded rows, and the
# output is byte-identical for any --threads (batches are cut at fixed
# positions).  A generated model: 700 visitors (three batches), 300 items.
. "$ROOT/tests/data/recommend/setup.sh"
awk 'BEGIN {
	s = 12345
	print "als 4"
	for (u = 0; u < 700; u++) {
		line = "user " (10 + 2 * u)
		for (j = 0; j < 4; j++) { s = (s * 1103515245 + 12345) % 2147483648; line = line " " (s / 2147483648 - 0.5) }
		print line
	}
	for (i = 0; i < 300; i++) {
		line = "item " (1 + 3 * i)
		for (j = 0; j < 4; j++) { s = (s * 1103515245 + 12345) % 2147483648; line = line " " (s / 2147483648 - 0.5) }
		print line
	}
}' | "$helper" mkmodel big.rsa
awk 'BEGIN { for (u = 0; u < 720; u++) print 8 + 2 * u }' >ids.txt
rs-recommend -m big.rsa -k 7 --fallback pop.rsa ids.txt >all.csv
for i in 0 1 2; do
	rs-recommend -m big.rsa -k 7 --fallback pop.rsa --shard $i/3 ids.txt | tail -n +2
done | sort >shards.txt
tail -n +2 all.csv | sort >all.txt
cmp all.txt shards.txt && echo "shards: same rows ($(wc -l <all.txt))"
rs-recommend -m big.rsa -k 7 --fallback pop.rsa -t 3 ids.txt >t3.csv
cmp all.csv t3.csv && echo "threads: identical"
rs-recommend -m big.rsa -k 5 --similar -t 2 --all >s2.csv
rs-recommend -m big.rsa -k 5 --similar --all >s1.csv
cmp s1.csv s2.csv && echo "similar threads: identical ($(wc -l <s1.csv) lines)"
