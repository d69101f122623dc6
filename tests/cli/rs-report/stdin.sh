# - reads one input from standard input, named <stdin> in the page and in
# messages.
PATH=$ROOT/scripts:$PATH
. "$CASEDIR/tiny-inputs"
rs-report --eval - <eval.csv | grep -c '<figure id="eval-'
printf 'label,file,recall_at_5\npopular,p.csv,x\n' | rs-report --eval -
echo "exit $?"
rs-report --eda - <eda.tsv | grep '<p>'
