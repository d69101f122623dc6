# -j is the old, undocumented spelling of -t/--threads: still accepted.
set -e
rs-synth -s 0.002 -t 2 -o a
rs-synth -s 0.002 -j 2 -o b
for f in events.csv item_properties_part1.csv item_properties_part2.csv \
    category_tree.csv; do
	cmp a/$f b/$f && echo "$f identical"
done
