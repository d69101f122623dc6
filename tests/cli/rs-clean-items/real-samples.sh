# The real property samples and the full category tree go through with
# --strict (no bad record); every item with a category has one of the 25
# roots, with or without the never-available items.
[ -f "$RS_DATA/category_tree.csv" ] || { echo "skip: $RS_DATA/category_tree.csv not found" >&2; exit 77; }
rs-load -q -o tree.rse "$RS_DATA/category_tree.csv" 2>/dev/null
rs-load -q -o p1.rse "$RS_DATA/item_properties_part1_sample.csv" 2>/dev/null
rs-load -q -o p2.rse "$RS_DATA/item_properties_part2_sample.csv" 2>/dev/null
rs-clean-items --strict --csv -t tree.rse p2.rse p1.rse >items.csv
rs-clean-items --strict --keep-never-available --csv -t tree.rse p1.rse p2.rse >all.csv
for f in items.csv all.csv; do
	awk -F, 'NR > 1 && $2 != "" { r[$3] = 1; if ($3 == "") bad++ }
	    END { n = 0; for (k in r) n++; print FILENAME ": " NR - 1 " items, " n " roots, " bad + 0 " without root" }' $f
done
# Every kept item was available at some snapshot.
awk -F, 'NR > 1 && $5 != 1 { print "not ever available: " $0 }' items.csv
