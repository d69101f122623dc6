# --shard does not go with -r
rs-recommend --shard 0/2 -r r.rsq -H ev.rse -m m.rsa
