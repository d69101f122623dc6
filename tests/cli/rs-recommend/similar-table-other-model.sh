# A neighbours table made from another model (the same items, one factor
# changed) is refused, naming the file and both digests.
. "$ROOT/tests/data/recommend/setup.sh"
rs-recommend -q --similar -a -f rsk -m m.rsa -o m.rsk
sed 's/^item 4 3 3$/item 4 3 3.5/' "$d/model.txt" | "$helper" mkmodel m2.rsa
echo 1 | rs-recommend --similar -m m2.rsa --similar-table m.rsk
