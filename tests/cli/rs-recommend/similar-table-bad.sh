# A bad --similar-table is an error naming the file: cut short, a changed
# byte, another kind of stream or model, a missing file.
. "$ROOT/tests/data/recommend/setup.sh"
set +e
rs-recommend -q --similar -a -f rsk -m m.rsa -o m.rsk
n=$(wc -c <m.rsk)
head -c $((n - 5)) m.rsk >cut.rsk
cp m.rsk flip.rsk
printf '\377' | dd of=flip.rsk bs=1 seek=$((n - 12)) conv=notrunc 2>/dev/null
rs-knn-train -q -o knn.rsk recent.rse
for t in cut.rsk flip.rsk m.rsa knn.rsk recent.rse nosuch.rsk; do
	echo 1 | rs-recommend --similar -m m.rsa --similar-table $t 2>err
	echo "$t: exit $?: $(cat err)"
done | sed 's/^\(flip.rsk: exit 1: rs-recommend: flip.rsk: \).*\(corrupt\|checksum\).*/\1(the checksum catches it)/'
