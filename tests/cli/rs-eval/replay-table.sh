# -r: answers scored beside the baselines; request 2 (a hit) left out of part is a miss
set -eu
. "$ROOT/tests/data/replay/setup.sh"
rs-answer -k 3 -r r.rsq -H ev.rse -o ans.csv
rs-replay -q -k 3 -r r.rsq -H ev.rse
grep -v '^2,' ans.csv >part.csv
rs-eval -k 3 -r r.rsq -H ev.rse -l recent:5,popular:5 -l part ans.csv part.csv
