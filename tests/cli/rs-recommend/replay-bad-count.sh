# at most 1000 rows per request
rs-recommend -k 1001 -r r.rsq -H ev.rse
