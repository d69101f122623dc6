# The whole page for tiny inputs, byte for byte: the table of the
# analysis, the four figures of the data, a figure per metric of the
# evaluation, hit@10 and MRR@10 of the replay.  Series are groups titled
# with their names, points and bars carry their values as tooltips.
PATH=$ROOT/scripts:$PATH
. "$CASEDIR/tiny-inputs"
rs-report --title 'tiny <report>' --eda eda.tsv --eval eval.csv --replay replay.csv
