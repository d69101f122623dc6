# --popular-window counts events: a popular model has no window
set -eu
rs-replay -p pop.rsa --popular-window 1d -r r.rsq -H ev.rse
