# an empty item in -k is a usage error, named by its place
rs-replay -k 10, -r r.rsq -H ev.rse
