# -r: answers scored beside the baselines; request 2 (a hit) left out of part is a miss
set -eu
D=$ROOT/tests/data/replay
rs-load -q -o ev.rse $D/events.csv
rs-requests -q -o r.rsq ev.rse
rs-answer -k 3 -r r.rsq -H ev.rse -o ans.csv
rs-replay -q -k 3 -r r.rsq -H ev.rse
grep -v '^2,' ans.csv >part.csv
rs-eval -k 3 -r r.rsq -H ev.rse -l recent:5,popular:5 -l part ans.csv part.csv
