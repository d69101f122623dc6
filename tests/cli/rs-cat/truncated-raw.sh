f=$ROOT/tests/data/streams/1.0/events-raw.rse
head -c 300 "$f" | rs-cat
