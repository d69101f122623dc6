# --popular-window: causal popular over [t - 1s, t) only, labelled
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-replay -q -k 5 -r r.rsq -H ev.rse --popular-window 1s \
    -a a.csv --answers-of 'popular(1s)'
cat a.csv
