# A knn stream whose header (valid CRC) claims 2^32 - 1 neighbours, or
# 2^32 - 2 items: refused at once with the claim named, without
# allocating for it (the old reader reserved tens of GB first, so under
# this address-space limit it failed with "out of memory").  Through a
# pipe the length is unknown: the reader grows as rows come and stops at
# the trailer.  Crafted with tests/helper/claim.py.
set -u
# The byte count in the message follows the metadata; it is normalised.
norm() { sed "s/stream's [0-9]* bytes/stream's N bytes/"; }
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not found" >&2; exit 77; }
. "$ROOT/tests/data/replay/setup.sh"
rs-knn-train -q -o k.rsk ev.rse
zstd -qdc k.rsk >k.raw
python3 "$ROOT/tests/helper/claim.py" k.raw nbr.raw 1=0xFFFFFFFF
python3 "$ROOT/tests/helper/claim.py" k.raw items.raw 0=0xFFFFFFFE
zstd -q nbr.raw -o nbr.rsk
# The limit makes an allocation for the claim fail loudly; ASan reserves
# terabytes of shadow memory and cannot run under it (the check that
# refuses the claim is the same either way).
[ "${O:-build}" = build-san ] || ulimit -v 2000000
for f in nbr.raw items.raw nbr.rsk; do
	{ rs-answer -q -r r.rsq -H ev.rse --knn $f -o /dev/null 2>&1
	echo "$f: exit $?"; } | norm
done
# A pipe has no length to check: the reader grows, the trailer refuses.
cat nbr.raw | { rs-answer -q -r r.rsq -H ev.rse --knn - -o /dev/null 2>&1
echo "pipe: exit $?"; }
