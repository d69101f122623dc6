# --popular-window must be a positive duration
rs-recommend --popular-window 0 -r r.rsq -H ev.rse
