# A bad replay table is refused with file:line and why, exit 1: the
# offline CSV, targets that are neither all nor discovery, a bad k, a
# metric that is not a number, a row of another length.
PATH=$ROOT/scripts:$PATH
. "$CASEDIR/tiny-inputs"
sed '2s/,all,/,some,/' replay.csv >targets.csv
sed '3s/,10,/,0,/' replay.csv >k.csv
sed '4s/0.5000,0.5000/0.5000,-/' replay.csv >mrr.csv
sed '6s/,10.0000$//' replay.csv >short.csv
for f in eval.csv targets.csv k.csv mrr.csv short.csv; do
	rs-report --replay "$f"
	echo "$f: exit $?"
done
