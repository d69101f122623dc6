# -r without -H
rs-answer -r r.rsq -m m.rsa
