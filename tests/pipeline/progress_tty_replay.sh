#!/bin/sh
# progress_tty_replay - the progress lines of rs-replay and rs-eval on a
# terminal (a pseudo-terminal from util-linux script(1)): a reading step
# per input file, then rs-replay's "replaying" counted in requests up to
# the total by the worker threads, and rs-eval's scoring of each row in
# requests (-r) or in visitors of the truth.  The outputs are
# byte-identical with and without a terminal; with -q, or with standard
# output a pipe, no line is drawn.
set -eu
name=progress_tty_replay
. "$ROOT/tests/data/progress/lib.sh"

rs-synth -q -s 0.01 -S 1 -o data
rs-load -q -o events.rse data/events.csv
rs-load -q -o props.rse data/item_properties_part1.csv
rs-requests -q --since end-14d -o r.rsq events.rse
t=$(rs-cat -m since r.rsq)
rs-knn-train -q --until "$t" -o k.rsk events.rse
rs-interactions -q --until "$t" -o train.rsm events.rse
rs-interactions -q --since "$t" -e addtocart -o truth.rsm events.rse
nq=$(rs-cat -H r.rsq | wc -l)
[ "$nq" -gt 10 ] || fail "only $nq requests"
# Recommendation lists for the offline protocol: the answers rs-replay
# gives each visitor's first request, as user,item,rank.
rs-replay -q -r r.rsq -H events.rse -n k.rsk -a a.csv >/dev/null
awk -F, 'NR == 1 { print "user,item,rank"; next }
    !($2 in q) { q[$2] = $1 } q[$2] == $1 { print $2 "," $3 "," $4 }' \
    a.csv >recs.csv
[ "$(wc -l <recs.csv)" -gt 10 ] || fail "too few recommendations"

# Reference outputs, stderr a file: no progress text in it.  The answers
# rs-eval -r scores are the ones rs-replay wrote in the same directory.
steps="rs-replay -t 2 -k 5,10 -r ../r.rsq -H ../events.rse -n ../k.rsk \
        -A ../props.rse -a ans.csv -o table.txt &&
    rs-eval -k 5,10 -r ../r.rsq -H ../events.rse -o replay.txt ans.csv &&
    rs-eval -t ../truth.rsm --train ../train.rsm --per-user pu.csv \
        -o eval.txt ../recs.csv"
mkdir ref tty
(cd ref && sh -c "$steps") 2>ref.err
hasnt ref.err "$(printf '\r')"
hasnt ref.err reading
hasnt ref.err replaying
hasnt ref.err scoring

# The same on a terminal: every step shows its line; outputs identical.
(cd tty && on_tty ../tty.out "$steps")
for f in k.rsk props.rse r.rsq events.rse; do
	has tty.out "rs-replay: reading ../$f  .*%"
done
has tty.out "rs-replay: replaying  0/$nq requests"
has tty.out "rs-eval: reading ../r.rsq  .*%"
has tty.out "rs-eval: reading ../events.rse  .*%"
has tty.out "rs-eval: scoring popular  0/$nq requests"
has tty.out "rs-eval: scoring recent  0/$nq requests"
has tty.out "rs-eval: reading ans.csv  .*%"
has tty.out "rs-eval: scoring ans  0/$nq requests"
has tty.out "rs-eval: reading ../truth.rsm  .*%"
has tty.out "rs-eval: reading ../train.rsm  .*%"
has tty.out "rs-eval: reading ../recs.csv  .*%"
has tty.out "rs-eval: scoring recs  0/[0-9.]* [k]* *visitors"
for f in table.txt ans.csv replay.txt eval.txt pu.csv; do
	[ -s "ref/$f" ] || fail "$f: empty"
	cmp "ref/$f" "tty/$f" || fail "$f: output differs on a terminal"
done
# The line is erased before the summary, which starts at the left margin.
has tty.out "$(printf '\r')rs-replay: $nq requests"

# -q on a terminal: no progress line, and here no other text either.
quiet="rs-replay -q -t 2 -k 5,10 -r ../r.rsq -H ../events.rse -n ../k.rsk \
        -A ../props.rse -o tableq.txt &&
    rs-eval -q -k 5,10 -r ../r.rsq -H ../events.rse -o replayq.txt ans.csv &&
    rs-eval -q -t ../truth.rsm --train ../train.rsm -o evalq.txt ../recs.csv"
(cd tty && on_tty ../quiet.out "$quiet")
[ ! -s quiet.out ] || { tr '\r' '\n' <quiet.out; fail "text on stderr with -q"; }
cmp ref/table.txt tty/tableq.txt || fail "-q: table differs"
cmp ref/replay.txt tty/replayq.txt || fail "-q: replay scores differ"
cmp ref/eval.txt tty/evalq.txt || fail "-q: offline scores differ"

# Standard output a pipe: no line either (a pager may be reading it).
on_tty pipe.out "rs-replay -r r.rsq -H events.rse | tail -n 1 >/dev/null;
    rs-eval -t truth.rsm recs.csv | tail -n 1 >/dev/null"
hasnt pipe.out reading
hasnt pipe.out replaying
hasnt pipe.out scoring
exit 0
