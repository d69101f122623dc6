# An input that cannot be read, or a directory that is not one, is exit 1
# naming it; nothing is written.
PATH=$ROOT/scripts:$PATH
rs-report --eda nope.tsv -o r.html
echo "exit $?"
rs-report --mlflow nope -o r.html
echo "exit $?"
rs-report --eda /dev/null -o nodir/r.html
echo "exit $?"
ls
