# an item repeated within one request
set -eu
. "$ROOT/tests/data/replay/setup.sh"
printf '{"request":3,"item":201,"rank":1}\n{"request":3,"item":200,"rank":2}\n{"request":3,"item":201,"rank":3}\n' >a.jsonl
rs-eval -r r.rsq -H ev.rse a.jsonl
