# the stream on standard input, zstd-compressed
set -eu
D=$ROOT/tests/data/interactions
rs-interactions --csv - <$D/tiny-zstd.rse
