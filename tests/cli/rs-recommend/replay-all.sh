# options of the visitor mode are a usage error with -r
rs-recommend -a -r r.rsq -H ev.rse
