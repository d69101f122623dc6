# Different seeds give different data; the same seed the same data.
set -e
rs-synth -s 0.002 -S 1 -o a
rs-synth -s 0.002 -S 2 -o b
rs-synth -s 0.002 --seed 1 -o c
cmp -s a/events.csv b/events.csv || echo "seed 2 differs"
cmp -s a/item_properties_part1.csv b/item_properties_part1.csv ||
    echo "seed 2 properties differ"
cmp a/events.csv c/events.csv && echo "seed 1 again identical"
