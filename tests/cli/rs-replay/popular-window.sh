# --popular-window: causal popular over [t - 1s, t) only, labelled
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-replay -q -k 5 -r r.rsq -H ev.rse --popular-window 1s \
    -a a.csv --answers-of 'popular(1s)'
cat a.csv
