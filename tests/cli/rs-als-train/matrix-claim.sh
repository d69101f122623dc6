# A matrix whose header (valid CRC) claims 2^32 - 2 rows, columns or
# entries is refused at once, naming the claim (it used to fail only at
# the table's trailer, after reading it).
set -u
# The byte count in the message follows the metadata; it is normalised.
norm() { sed "s/stream's [0-9]* bytes/stream's N bytes/"; }
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not found" >&2; exit 77; }
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-interactions -q -o m.rsm ev.rse
zstd -qdc m.rsm >m.raw
for t in 0 1 2; do
	python3 "$ROOT/tests/helper/claim.py" m.raw c$t.raw $t=0xFFFFFFFE
	{ rs-als-train -q -m popular -o p.rsa c$t.raw 2>&1
	echo "table $t: exit $?"; } | norm
done
ls
