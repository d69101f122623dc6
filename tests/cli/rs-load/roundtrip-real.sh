# The real Retailrocket samples load without a single bad row, and rs-cat
# gives back every file byte for byte (CSV -> stream -> CSV).
d=${RS_DATA:-}
if [ ! -f "$d/events_sample_5000_visitors.csv" ]; then
	echo "skip: Retailrocket samples not found in '$d'" >&2
	exit 77
fi
set -e
for f in events_sample_5000_visitors item_properties_part1_sample \
    item_properties_part2_sample category_tree; do
	rs-load --strict -o "$f.rse" "$d/$f.csv"
	rs-cat "$f.rse" | cmp - "$d/$f.csv"
	rs-cat -i "$f.rse" | grep '^table'
done
# Both property samples into one stream: rows in file order.
rs-load --strict -o props.rse "$d/item_properties_part1_sample.csv" \
    "$d/item_properties_part2_sample.csv"
{ cat "$d/item_properties_part1_sample.csv"
  tail -n +2 "$d/item_properties_part2_sample.csv"; } >both.csv
rs-cat props.rse | cmp - both.csv
echo ok
