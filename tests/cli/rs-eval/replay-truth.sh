# -t does not go with -r
rs-eval -t t.rsm -r r.rsq -H ev.rse a.csv
