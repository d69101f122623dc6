# rs-replay refuses a popular model where an item-kNN model is expected
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-interactions -q -o m.rsm ev.rse
rs-als-train -q -m popular -o p.rsa m.rsm
rs-requests -q -o r.rsq ev.rse
rs-replay -r r.rsq -H ev.rse -n p.rsa
