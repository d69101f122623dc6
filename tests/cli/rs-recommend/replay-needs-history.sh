# -r without -H
rs-recommend -r r.rsq -m m.rsa
