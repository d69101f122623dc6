# a blend that does not parse
rs-recommend --blend recent:x -r r.rsq -H ev.rse
