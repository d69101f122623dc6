# --popular-window must be a positive duration
rs-answer --popular-window 0 -r r.rsq -H ev.rse
