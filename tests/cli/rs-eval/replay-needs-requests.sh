# -H without -r
rs-eval -H ev.rse a.csv
