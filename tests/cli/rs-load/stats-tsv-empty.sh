# --stats --format tsv of a header-only events file: zeros, no days, the
# 24 hours at 0, no histogram rows; on standard error when the stream goes
# to standard output.
rs-load --stats --format tsv "$ROOT/tests/data/csv/header-only.csv" >ev.rse
