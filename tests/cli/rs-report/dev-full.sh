# A page that cannot be written is exit 1, never a silent short output.
PATH=$ROOT/scripts:$PATH
. "$CASEDIR/tiny-inputs"
rs-report --eda eda.tsv >/dev/full
echo "exit $?"
