# Models are written raw (format 2.0, tables as extents) unless --compress,
# which gives zstd frames (zstd -t checks them) holding the same rows of the
# model's own tables (a raw model carries the scan spaces after them).
set -e
rs-interactions -q -o t.rsm $ROOT/tests/data/interactions/tiny.rse
rs-als-train -f 3 -i 4 -o raw.rsa t.rsm
rs-als-train -f 3 -i 4 --compress -o z.rsa t.rsm
rs-als-train -m popular --compress -o p.rsa t.rsm
zstd -qt z.rsa && zstd -qt p.rsa && echo "zstd frames"
zstd -qt raw.rsa 2>/dev/null || echo "raw: not zstd"
rs-cat -m model z.rsa
rs-cat raw.rsa | sed '/^row$/,$d' >a.csv
rs-cat z.rsa | cmp - a.csv && echo "same rows"
rs-cat -i z.rsa | sed -n '2,3p'
