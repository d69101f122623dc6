# an unknown option is a usage error; so are the visitor options of
# rs-recommend (the request mode has no ids to choose)
rs-answer --frobnicate -r r.rsq -H ev.rse
rs-answer --similar -r r.rsq -H ev.rse
