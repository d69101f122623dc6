rs-cat -o out.csv $ROOT/tests/data/streams/1.0/tree.rse && cat out.csv && ls -a | grep -c '^\.out' || true
