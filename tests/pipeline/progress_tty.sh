#!/bin/sh
# progress_tty - with standard error on a terminal (a pseudo-terminal from
# util-linux script(1)) the long steps draw a progress line: step name,
# rows and their rate, percent of the input file; the outputs stay
# byte-identical to a run without a terminal.  Without a terminal, and
# with -q on one, or with standard output a pipe, nothing of the line
# reaches stderr.
set -eu
name=progress_tty
. "$ROOT/tests/data/progress/lib.sh"

rs-synth -q -s 0.01 -S 1 -o data
rs-load -q -o events.rse data/events.csv
rs-load -q -o props.rse data/item_properties_part1.csv \
    data/item_properties_part2.csv
rs-load -q -o tree.rse data/category_tree.csv

# Reference outputs, stderr a file: no progress text in it.  The runs
# differ only in their directory, since argv goes into the metadata.
steps="rs-clean-items -t ../tree.rse -o items.rse ../props.rse &&
    rs-interactions -o m.rsm ../events.rse &&
    rs-als-train -i 2 -f 8 -o a.rsa m.rsm &&
    rs-cat -o cat.csv ../events.rse"
mkdir ref tty
(cd ref && sh -c "$steps") 2>ref.err
hasnt ref.err "$(printf '\r')"
hasnt ref.err reading
hasnt ref.err iterations

# The same on a terminal: every step shows its line; outputs identical.
(cd tty && on_tty ../tty.out "$steps")
has tty.out "rs-clean-items: reading ../props.rse  .*%"
has tty.out "rs-clean-items: building the item table"
has tty.out "rs-interactions: reading ../events.rse  .*%"
has tty.out "rs-als-train: training  0/2 iterations"
has tty.out "rs-cat: printing ../events.rse  0 rows  0%"
for f in items.rse m.rsm a.rsa cat.csv; do
	cmp "ref/$f" "tty/$f" || fail "$f: output differs on a terminal"
done
# Each line is erased: the summaries start at the left margin.
has tty.out "$(printf '\r')rs-clean-items: [0-9]* items seen"

# A stalled pipe: the rows and their rate show after half a second.
half=$(($(wc -c <props.rse) / 2))
(cd ref && rs-cat -o props.csv ../props.rse)
on_tty slow.out "{ head -c $half props.rse; sleep 1;
    tail -c +$((half + 1)) props.rse; } | rs-cat -o props.csv"
has slow.out "rs-cat: printing <stdin>  [0-9.]* [kM]* *rows  [0-9.]* [kM]* *rows/s"
cmp ref/props.csv props.csv || fail "props: output differs from a pipe"

# -q on a terminal: no progress line, and here no other text either.
quiet="rs-interactions -q -o mq.rsm ../events.rse &&
    rs-cat -q -o catq.csv ../events.rse"
(cd ref && sh -c "$quiet")
(cd tty && on_tty ../quiet.out "$quiet")
[ ! -s quiet.out ] || { tr '\r' '\n' <quiet.out; fail "text on stderr with -q"; }
cmp ref/mq.rsm tty/mq.rsm || fail "matrix differs with -q"

# rs-cat writing rows to the terminal itself draws no line over them,
# nor does any tool whose standard output is a pipe (a pager may read it).
on_tty cat.out "rs-cat tree.rse; rs-cat events.rse | head -n 1;
    rs-interactions events.rse | rs-als-train -m popular -o pop.rsa"
hasnt cat.out printing
hasnt cat.out "rs-interactions: reading"
has cat.out "rs-als-train: reading <stdin>"
exit 0
