# at most 1000 rows per request (bad number)
rs-answer -k 1001 -r r.rsq -H ev.rse
