# rs-load --stats on the real Retailrocket samples gives the figures that
# $RS_DATA/PROVENANCE.md states (events sample, the two property
# samples, the full category tree), the same report with any thread
# count, and a second run gives the same bytes.
#
# One figure differs on purpose: PROVENANCE.md says "2 exact duplicate
# rows", but the file holds three pairs of identical rows (`sort | uniq
# -d` lists three), so the report says 3; see lib/eda.h.
set -eu
d=${RS_DATA:-}
if [ ! -f "$d/events_sample_5000_visitors.csv" ] ||
    [ ! -f "$d/category_tree.csv" ] ||
    [ ! -f "$d/item_properties_part1_sample.csv" ]; then
	echo "skip: Retailrocket samples not found in '$d'" >&2
	exit 77
fi

fails=0
: >wrong.txt
# want REPORT LABEL VALUE: the line of LABEL (an awk regular expression)
# in REPORT has exactly VALUE.
want() {
	got=$(awk -v l="$2" 'substr($0, 1, 33) ~ "^" l " *$" {
		print substr($0, 34) }' "$1")
	if [ "$got" != "$3" ]; then
		echo "$1: '$2': got '$got', expected '$3'" >>wrong.txt
		fails=$((fails + 1))
	fi
}

rs-load -s -o /dev/null "$d/events_sample_5000_visitors.csv" >events.txt
want events.txt kind events
want events.txt rows 9,385
want events.txt '  view' 9,076
want events.txt '  addtocart' 263
want events.txt '  transaction' 46
want events.txt visitors 5,000
want events.txt items 6,610
want events.txt 'visitors with a single event' '69.9 % (3,495 of 5,000)'
want events.txt 'repeated \(visitor,item,event\)' '18.9 % (1,777 of 9,385)'
want events.txt 'exact duplicate rows' 3
want events.txt 'events per visitor p50' 1
want events.txt 'events per visitor p90' 3
want events.txt 'events per visitor p99' 11
want events.txt 'events per visitor max' 55
want events.txt 'items seen by one visitor only' '91.0 % (6,015 of 6,610)'
want events.txt 'addtocart visitors' 145
want events.txt '  with a single addtocart' '71.0 % (103 of 145)'
want events.txt 'first event' 2015-05-03T03:02:00.563Z
want events.txt 'last event' 2015-09-18T01:16:53.281Z
want events.txt 'days with events' '139 (of 139 in range)'

# Deterministic: again, and with parser threads, the same bytes.
rs-load -s -o /dev/null "$d/events_sample_5000_visitors.csv" >again.txt
cmp events.txt again.txt ||
    { echo "second run differs" >>wrong.txt; fails=$((fails + 1)); }
rs-load -t 2 -s -o /dev/null "$d/events_sample_5000_visitors.csv" >t2.txt
cmp events.txt t2.txt ||
    { echo "-t 2 differs" >>wrong.txt; fails=$((fails + 1)); }

# Property samples: all of one weekly snapshot (1431226800000).
rs-load -s -o /dev/null "$d/item_properties_part1_sample.csv" \
    "$d/item_properties_part2_sample.csv" >props.txt
want props.txt kind props
want props.txt rows 7,235
want props.txt 'snapshots \(distinct timestamps\)' 1
want props.txt 'first snapshot' 2015-05-10T03:00:00.000Z
want props.txt 'last snapshot' 2015-05-10T03:00:00.000Z
want props.txt 'values with a bad number token' 0

rs-load -s -o /dev/null "$d/category_tree.csv" >tree.txt
want tree.txt kind tree
want tree.txt categories 1,669
want tree.txt roots 25
want tree.txt 'orphans \(made roots\)' 0
want tree.txt 'cycles \(cut, made roots\)' 0
want tree.txt 'duplicate rows \(first wins\)' 0

if [ "$fails" -ne 0 ]; then
	cat events.txt props.txt tree.txt
	echo "$fails check(s) failed:"
	cat wrong.txt
	exit 1
fi
echo "eda figures ok"
