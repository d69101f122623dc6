# -r with no answer file
rs-eval -r r.rsq -H ev.rse
