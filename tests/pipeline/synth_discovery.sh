#!/bin/sh
# synth_discovery - the discovery facts of issue #14 on rs-synth data, by
# scripts/discovery-facts (the measure bench/sampled.sh pools over ten
# samples of 5,000 visitors at scale 1):
#  - the share of discovery add-to-carts of visitors with earlier events
#    that are in the category of the visitor's last viewed item: 0.53 on
#    real data, 0.89 to 0.93 before the recalibration; the band is
#    0.53 +- 0.07, as the issue asks, and at scale 0.05 (about 900 such
#    requests) the standard error is 0.017, so the band is about four
#    standard errors wide on each side of the real value;
#  - the share of discovery requests with no earlier event: 0.23 on the
#    real sample (19 of 82, itself +- 0.05); band 0.16 .. 0.30;
#  - no add-to-cart on an item whose latest availability snapshot
#    before it says 0 (13.5 % of carts before the fix): exactly none.
# Seconds: scale 0.05, one seed, deterministic.
set -eu
fail() { echo "FAIL: $*"; exit 1; }

# The measure itself, on a hand-made case: visitor 2's cart of item 3 is
# in item 1's category because item 3 moved there before the cart;
# visitor 4's view at the cart's own millisecond is not yet known, and
# its twin cart row is one request; item 2 was unavailable at its last
# snapshot before visitor 1's cart (the one at the cart's millisecond
# comes too late), available again for visitor 3's.
cat >ev.csv <<'CSV'
timestamp,visitorid,event,itemid,transactionid
1000,1,view,1,
2000,1,addtocart,2,
1000,2,view,1,
3000,2,addtocart,3,
5000,3,addtocart,2,
6000,4,view,5,
6000,4,addtocart,5,
6000,4,addtocart,5,
CSV
cat >p.csv <<'CSV'
timestamp,itemid,property,value
0,1,categoryid,7
0,2,categoryid,7
0,3,categoryid,8
2500,3,categoryid,7
100,2,available,0
2000,2,available,1
CSV
sh "$ROOT/scripts/discovery-facts" ev.csv p.csv | tr '\n' ' ' >small.txt
want="requests 4 duplicates 1 discovery 4 disc_no_history 2 disc_history 2 \
disc_cat_known 2 disc_same_cat 2 carts_unavail 1 no_history_share 0.5000 \
same_cat_share 1.0000 unavail_share 0.2500 "
[ "$(cat small.txt)" = "$want" ] ||
    fail "discovery-facts on the small case: $(cat small.txt)"

rs-synth -q --scale 0.05 --seed 1 -t 2 -o data
sh "$ROOT/scripts/discovery-facts" data/events.csv \
    data/item_properties_part1.csv data/item_properties_part2.csv >facts.txt
cat facts.txt
get() { awk -v k="$1" '$1 == k { print $2 }' facts.txt; }
in_band() { awk -v x="$1" -v lo="$2" -v hi="$3" \
    'BEGIN { exit !(x != "-" && x >= lo && x <= hi) }'; }
[ "$(get disc_cat_known)" -ge 500 ] ||
    fail "too few discovery requests with known categories to judge"
in_band "$(get same_cat_share)" 0.46 0.60 ||
    fail "same-category share $(get same_cat_share), want 0.53 +- 0.07"
in_band "$(get no_history_share)" 0.16 0.30 ||
    fail "no-history share $(get no_history_share), want 0.16 .. 0.30"
[ "$(get carts_unavail)" -eq 0 ] ||
    fail "$(get carts_unavail) add-to-carts on items unavailable then"
