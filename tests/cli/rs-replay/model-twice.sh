# -m is the one ALS model: a second -m is a usage error, before any file
# is read (rs-answer, for rs-recommend -r's command lines, takes two)
rs-replay -m a.rsa -m b.rsa -r r.rsq -H ev.rse
