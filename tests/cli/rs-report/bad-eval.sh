# A bad rs-eval CSV is refused with file:line and why, exit 1: the table
# form, a replay table, a row of another length, a value that is not a
# number, a quote left open, no metric column, no row.
PATH=$ROOT/scripts:$PATH
. "$CASEDIR/tiny-inputs"
printf 'label    users\npopular  2\n' >table.txt
sed '3s/0.75/high/' eval.csv >nan.csv
sed '3s/,0.4$//' eval.csv >short.csv
sed '3s/"als, tuned"/"als, tuned/' eval.csv >quote.csv
printf 'label,file,rows\npopular,p.csv,3\n' >nometric.csv
head -1 eval.csv >header.csv
for f in table.txt replay.csv nan.csv short.csv quote.csv nometric.csv header.csv; do
	rs-report --eval "$f"
	echo "$f: exit $?"
done
