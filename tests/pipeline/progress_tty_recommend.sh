#!/bin/sh
# progress_tty_recommend - rs-recommend's and rs-answer's progress lines
# on a terminal (a pseudo-terminal from util-linux script(1)): a reading
# step per input file, then "recommending" in visitors (items with
# --similar) or, for rs-answer, "answering" in requests, counted up to the
# total by the worker threads.  The outputs are byte-identical with and without a terminal;
# with -q, or with standard output a pipe, no line is drawn.
set -eu
name=progress_tty_recommend
. "$ROOT/tests/data/progress/lib.sh"

rs-synth -q -s 0.01 -S 1 -o data
rs-load -q -o events.rse data/events.csv
rs-load -q -o props.rse data/item_properties_part1.csv
rs-requests -q --since end-14d -o r.rsq events.rse
rs-interactions -q -o m.rsm events.rse
rs-als-train -q -i 2 -f 8 -o a.rsa m.rsm
nq=$(rs-cat -H r.rsq | wc -l)
[ "$nq" -gt 10 ] || fail "only $nq requests"

# Reference outputs, stderr a file: no progress text in it.
steps="rs-recommend -t 2 -a -m ../a.rsa -o all.csv &&
    rs-recommend -t 2 --users-from ../m.rsm --exclude-seen ../m.rsm \
        -m ../a.rsa -o seen.csv &&
    rs-answer -t 2 -r ../r.rsq -H ../events.rse -m ../a.rsa \
        -A ../props.rse -o ans.csv"
mkdir ref tty
(cd ref && sh -c "$steps") 2>ref.err
hasnt ref.err "$(printf '\r')"
hasnt ref.err reading
hasnt ref.err answering

# The same on a terminal: every step shows its line; outputs identical.
(cd tty && on_tty ../tty.out "$steps")
has tty.out "rs-recommend: reading ../a.rsa  .*%"
has tty.out "rs-recommend: reading ../m.rsm  .*%"
has tty.out "rs-recommend: recommending  0/[0-9.]* [k]* *visitors"
has tty.out "rs-answer: reading ../r.rsq  .*%"
has tty.out "rs-answer: reading ../events.rse  .*%"
has tty.out "rs-answer: reading ../props.rse  .*%"
has tty.out "rs-answer: answering  0/$nq requests"
for f in all.csv seen.csv ans.csv; do
	[ -s "ref/$f" ] || fail "$f: empty"
	cmp "ref/$f" "tty/$f" || fail "$f: output differs on a terminal"
done
# Each line is erased before the next and at the end: what is left on
# the screen after the last carriage return is blank.
[ -z "$(tr '\r' '\n' <tty.out | tail -n 1 | tr -d ' \n')" ] ||
    { tr '\r' '\n' <tty.out | tail -n 3; fail "a line was left"; }

# -q on a terminal: no progress line, and here no other text either.
quiet="rs-recommend -q -a -m ../a.rsa -o allq.csv &&
    rs-answer -q -r ../r.rsq -H ../events.rse -m ../a.rsa -o ansq.csv"
(cd tty && on_tty ../quiet.out "$quiet")
[ ! -s quiet.out ] || { tr '\r' '\n' <quiet.out; fail "text on stderr with -q"; }
cmp ref/all.csv tty/allq.csv || fail "-q: recommendations differ"

# Standard output a pipe: no line either (a pager may be reading it).
on_tty pipe.out "rs-recommend -a -m a.rsa | tail -n 1 >/dev/null;
    rs-answer -r r.rsq -H events.rse | tail -n 1 >/dev/null"
hasnt pipe.out reading
hasnt pipe.out recommending
hasnt pipe.out answering
exit 0
