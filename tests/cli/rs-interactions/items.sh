# --items drops events on items never available (20) or unknown (30)
set -eu
D=$ROOT/tests/data/interactions
rs-load -q -o tree.rse $D/tree.csv 2>/dev/null
rs-load -q -o props.rse $D/props.csv 2>/dev/null
rs-clean-items -q -t tree.rse -o items.rsi props.rse
rs-interactions -v --items items.rsi --csv $D/tiny.rse
