# Every cut of a stream must be an error, never fewer rows.
f=$ROOT/tests/data/streams/1.0/events.rse
n=$(wc -c <"$f")
head -c $((n - 3)) "$f" | rs-cat
