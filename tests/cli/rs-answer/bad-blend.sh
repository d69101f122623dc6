# a blend that does not parse
rs-answer -b recent:x -r r.rsq -H ev.rse
