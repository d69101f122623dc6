# The output does not depend on the number of threads.
set -e
rs-synth -s 0.005 -t 1 -o a
rs-synth -s 0.005 -t 3 -o b
for f in events.csv item_properties_part1.csv item_properties_part2.csv \
    category_tree.csv; do
	cmp a/$f b/$f && echo "$f identical"
done
