# A model whose header (valid CRC) claims 2^32 - 2 users (and user
# factors, to agree) or items and scores: refused at once with the claim
# named, without allocating for it (the old reader reserved tens of GB
# first: "out of memory" under this address-space limit).
set -u
# The byte count in the message follows the metadata; it is normalised.
norm() { sed "s/stream's [0-9]* bytes/stream's N bytes/"; }
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not found" >&2; exit 77; }
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-interactions -q -o m.rsm ev.rse
rs-als-train -q -f 4 -i 2 -o als.rsa m.rsm
rs-als-train -q -m popular -o pop.rsa m.rsm
# Models are written raw (format 2.0): claim.py takes them as they are.
cp als.rsa als.raw
cp pop.rsa pop.raw
python3 "$ROOT/tests/helper/claim.py" als.raw users.raw 0=0xFFFFFFFE 2=0xFFFFFFFE
python3 "$ROOT/tests/helper/claim.py" pop.raw items.raw 0=0xFFFFFFFE 1=0xFFFFFFFE
# The limit makes an allocation for the claim fail loudly; ASan reserves
# terabytes of shadow memory and cannot run under it (the check that
# refuses the claim is the same either way).
[ "${O:-build}" = build-san ] || ulimit -v 2000000
for f in users.raw items.raw; do
	echo 1 | { rs-recommend -q -m $f -o /dev/null 2>&1
	echo "$f: exit $?"; } | norm
done
