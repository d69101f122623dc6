# end-1000ms is 8000 ms (the last event is at 9000): same split; the resolved bound is recorded
set -eu
D=$ROOT/tests/data/interactions
rs-interactions -q --until end-1000ms --csv $D/tiny.rse
rs-interactions -q --since end-1000ms --event addtocart -o test.rsm $D/tiny.rse
rs-cat -i test.rsm | grep -e "^meta	since" -e "^meta	until"
