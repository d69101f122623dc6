# A bad analysis report is refused with file:line and why, exit 1, and
# nothing written: not the TSV (the table instead), a short line, a bad
# count, a bad day, days out of order, a bad hour; an unknown section is
# skipped (a later rs-load may add one).
PATH=$ROOT/scripts:$PATH
. "$CASEDIR/tiny-inputs"
rs-load -q -s -o ev.rse ev.csv >table.txt
h='section	key	series	value'
printf '%s\nday\t1970-01-01\tview\n' "$h" >short.tsv
printf '%s\nday\t1970-01-01\tview\tmany\n' "$h" >count.tsv
printf '%s\nday\t1970-13-01\tview\t1\n' "$h" >day.tsv
printf '%s\nday\t1970-01-02\tview\t1\nday\t1970-01-01\tview\t1\n' "$h" >order.tsv
printf '%s\nhour\t24\tview\t1\n' "$h" >hour.tsv
: >empty.tsv
for f in table.txt short.tsv count.tsv day.tsv order.tsv hour.tsv empty.tsv; do
	rs-report -o r.html --eda "$f"
	echo "$f: exit $?"
done
printf '%s\nsummary\tkind\t-\tevents\nlater\tx\ty\tz\n' "$h" >later.tsv
rs-report --eda later.tsv -o r.html && echo "later.tsv: exit 0"
ls -A
