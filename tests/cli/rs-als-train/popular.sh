# popular: weighted counts per item (items 10: 4+1+5, 20: 1+7, 30: 5+1)
set -e
rs-interactions -q $ROOT/tests/data/interactions/tiny.rse | rs-als-train -m popular -o p.rsa
rs-cat p.rsa
rs-cat -i p.rsa | grep -E "^meta.(model|input_nnz)"
