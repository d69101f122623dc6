# ISO times; the window is half-open [since, until)
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --since 1970-01-01T00:00:03 --until 1970-01-01T00:00:05Z --csv $D/tiny.rse
