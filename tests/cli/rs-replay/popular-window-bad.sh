# a zero --popular-window is a usage error
set -eu
rs-replay --popular-window 0 -r r.rsq -H ev.rse
