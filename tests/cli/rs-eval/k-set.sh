# -k is a set: 3,1,3 gives the columns of 1,3
set -eu
cd $ROOT/tests/data/eval
rs-eval -t truth.rsm -k 1,3 -f csv model.csv >$OLDPWD/a.csv
rs-eval -t truth.rsm -k 3,1,3 -f csv model.csv >$OLDPWD/b.csv
cmp $OLDPWD/a.csv $OLDPWD/b.csv
cat $OLDPWD/b.csv
