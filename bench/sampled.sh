#!/bin/sh
# bench/sampled.sh - the replay on samples of generated visitors, drawn
# the way the real 5,000-visitor sample was (issue #14): rs-synth at scale
# 1 with seed 1, then SAMPLES (10) samples of all the events of VISITORS
# (5,000) visitors picked at random with the sample seeds 1 .. SAMPLES
# (the property files and the category tree stay whole).  For each
# sample: rs-load, rs-requests (every add-to-cart a request), rs-replay
# --knn-daily (item-kNN trained causally once per UTC day) with each
# blend; then ONE table pooled over the samples: per recommender,
# requests, hit@10, hit@20 and MRR@10, over all requests and over
# discovery requests, each request weighing one.  Then the calibration
# facts of scripts/discovery-facts, pooled the same way: the share of
# discovery requests (of visitors with earlier events) in the category of
# the visitor's last viewed item (real data: about 0.53), the share of
# discovery requests with no earlier event (real sample: 0.23), and the
# share of add-to-carts on items their latest snapshot calls unavailable.
#
#   sh bench/sampled.sh
#   BLENDS="recent:5,itemknn:5 recent:5,popular:5" AVAIL=1 sh bench/sampled.sh
#   REPLAY_OPTS="--popular-window 1d" sh bench/sampled.sh
#   KNN="--knn-every 1h" sh bench/sampled.sh
#   SHOP=1 AVAIL=1 REPLAY_OPTS="-t 2" sh bench/sampled.sh
#
# Environment:
#   BLENDS       blends, one rs-replay -b each (default: recent:5,itemknn:5);
#                the rows popular, recent and itemknn are always there
#   REPLAY_OPTS  more rs-replay options, word-split (e.g. --knn-context 3,
#                -i items.rsi, --tree tree.rse)
#   KNN          how item-kNN is trained (default --knn-daily; e.g.
#                "--knn-every 1h"), word-split
#   SHOP=1       the history is the whole generated log (every visitor's
#                events), the requests still each sample's add-to-carts:
#                the same visitors as a shop that logs everyone sees
#                them, so what the sources lose to a sample's thinness
#                shows (every source stays causal: events before each
#                request only); about 25 s per sample on two threads
#   AVAIL=1      add -A with both property files and --tree with the
#                category tree (loaded once, cached); TREE=0: no --tree
#                (tools older than the category source)
#   SAMPLES, VISITORS, SCALE (1), SEED (1): the draw
#   RS_SYNTH     the generator binary (default: this tree's), so that one
#                tree's tools can measure an older generator
#   BENCH_DIR    cache (default /tmp/rs-bench): the generated data and
#                the samples live in $BENCH_DIR/sampled-<scale>-<seed>-<cksum
#                of the generator binary>, so a changed generator never
#                reuses stale data; about 1 GB at scale 1
#
# Pooling: rs-replay --format csv prints each sample's hit and MRR with
# four decimals; hits are recovered exactly (round(n x hit), n < 10,000),
# MRR sums to within n x 0.00005 per sample, so the pooled MRR is exact to
# the four decimals printed.  Not a test and not run by CI (nor by
# bench/run); about three minutes on two shared cores, the first run
# (generation, 9 s) included.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
bin=$root/$O/bin
synth=${RS_SYNTH:-$bin/rs-synth}
scale=${SCALE:-1}
seed=${SEED:-1}
samples=${SAMPLES:-10}
nvis=${VISITORS:-5000}
blends=${BLENDS:-recent:5,itemknn:5}
export OPENBLAS_NUM_THREADS=1 PATH="$bin:$PATH" LC_ALL=C
for t in rs-load rs-requests rs-replay; do
	[ -x "$bin/$t" ] || { echo "sampled.sh: no $bin/$t; build first (make O=$O)" >&2; exit 1; }
done
[ -x "$synth" ] || { echo "sampled.sh: no $synth" >&2; exit 1; }
key=$(cksum <"$synth" | cut -d' ' -f1)
dir=${BENCH_DIR:-/tmp/rs-bench}/sampled-$scale-$seed-$key
mkdir -p "$dir"
cd "$dir"

if [ ! -f csv/events.csv ]; then
	echo "generating scale $scale data (seed $seed) with $synth in $dir"
	rm -rf csv.tmp
	"$synth" -q -t 2 -s "$scale" --seed "$seed" -o csv.tmp
	mv csv.tmp csv
fi
# The property rows the facts need, once.
if [ ! -f catavail.csv ]; then
	awk -F, 'FNR == 1 || $3 == "categoryid" || $3 == "available"' \
	    csv/item_properties_part1.csv csv/item_properties_part2.csv \
	    >catavail.tmp
	mv catavail.tmp catavail.csv
fi
if [ "${AVAIL:-0}" = 1 ]; then
	for p in 1 2; do
		[ -f props$p.rse ] ||
		    rs-load -q -o props$p.rse csv/item_properties_part$p.csv
	done
	set -- -A props1.rse -A props2.rse
	if [ "${TREE:-1}" = 1 ]; then
		[ -f tree.rse ] || rs-load -q -o tree.rse csv/category_tree.csv
		set -- "$@" --tree tree.rse
	fi
else
	set --
fi
for b in $blends; do
	set -- "$@" -b "$b"
done
# shellcheck disable=SC2086
set -- "$@" ${REPLAY_OPTS:-}
knn=${KNN:---knn-daily}
what="$samples samples of $nvis"
shop_history=
if [ "${SHOP:-0}" = 1 ]; then
	[ -f events.rse ] || rs-load -q -o events.rse csv/events.csv
	shop_history=events.rse
	what="$what (requests; history: every visitor)"
fi

# Visitors once: distinct ids of the events file.
[ -f visitors.txt ] || tail -n +2 csv/events.csv | cut -d, -f2 | sort -un >visitors.txt
echo "scale $scale, seed $seed, $(wc -l <visitors.txt) visitors;" \
    "$what; rs-replay $knn $*"

: >pooled.txt
: >facts.txt
s=1
while [ "$s" -le "$samples" ]; do
	sd=sample-$s-$nvis
	if [ ! -f "$sd/events.csv" ]; then
		mkdir -p "$sd"
		# A visitor's rank: a hash of (sample seed, id) in exact
		# integer arithmetic (Park-Miller steps, below 2^53), so
		# every awk draws the same visitors.
		awk -v s="$s" '{
			h = ($1 % 2147483646) + 1
			h = (h * 48271 + s * 7919) % 2147483647
			h = (h * 48271) % 2147483647
			h = (h * 16807 + s) % 2147483647
			h = (h * 48271) % 2147483647
			printf "%d %s\n", h, $1 }' visitors.txt |
		    sort -k1,1n -k2,2n | head -n "$nvis" | cut -d' ' -f2 \
		    >"$sd/visitors.txt"
		awk -F, 'NR == FNR { keep[$1] = 1; next }
		    FNR == 1 || ($2 in keep)' "$sd/visitors.txt" \
		    csv/events.csv >"$sd/events.tmp"
		mv "$sd/events.tmp" "$sd/events.csv"
	fi
	rs-load -q -o "$sd/events.rse" "$sd/events.csv"
	rs-requests -q -o "$sd/requests.rsq" "$sd/events.rse"
	# shellcheck disable=SC2086
	rs-replay -q -k 10,20 $knn -r "$sd/requests.rsq" \
	    -H "${shop_history:-$sd/events.rse}" --format csv "$@" \
	    -o "$sd/replay.csv"
	tail -n +2 "$sd/replay.csv" >>pooled.txt
	sh "$root/scripts/discovery-facts" "$sd/events.csv" catavail.csv \
	    >"$sd/facts.txt"
	cat "$sd/facts.txt" >>facts.txt
	s=$((s + 1))
done

# recommender,targets,requests,k,hit,mrr,ndcg,coverage,novelty; the
# recommender name may be quoted with commas inside: split from the right.
awk '{
	n = split($0, f, ",")
	name = f[1]
	for (i = 2; i <= n - 8; i++)
		name = name "," f[i]
	gsub(/"/, "", name)
	tg = f[n - 7]; r = f[n - 6]; k = f[n - 5]
	key = name SUBSEP tg
	if (!(key in seen)) {
		seen[key] = 1
		order[++nkey] = key
	}
	if (k == 10) {
		req[key] += r
		h10[key] += int(r * f[n - 4] + 0.5)
		rr10[key] += r * f[n - 3]
	} else if (k == 20) {
		h20[key] += int(r * f[n - 4] + 0.5)
	}
}
END {
	printf "%-28s %-9s %6s %8s %8s %8s\n", "recommender", "targets", "n",
	    "hit@10", "hit@20", "mrr@10"
	for (j = 1; j <= nkey; j++) {
		key = order[j]
		split(key, p, SUBSEP)
		n = req[key]
		if (n > 0)
			printf "%-28s %-9s %6d %8.4f %8.4f %8.4f\n", p[1], p[2],
			    n, h10[key] / n, h20[key] / n, rr10[key] / n
		else
			printf "%-28s %-9s %6d %8s %8s %8s\n", p[1], p[2], 0,
			    "-", "-", "-"
	}
}' pooled.txt
awk '{ c[$1] += $2 }
function share(a, b) { return b > 0 ? sprintf("%.4f", a / b) : "-" }
END {
	printf "\ncalibration, pooled over the samples (real data in brackets):\n"
	printf "  requests %d (%d duplicate rows dropped), discovery %d\n",
	    c["requests"], c["duplicates"], c["discovery"]
	printf "  discovery with no earlier event: %d of %d = %s (0.23)\n",
	    c["disc_no_history"], c["discovery"],
	    share(c["disc_no_history"], c["discovery"])
	printf "  discovery in the category of the last viewed item: %d of %d = %s (0.53)\n",
	    c["disc_same_cat"], c["disc_cat_known"],
	    share(c["disc_same_cat"], c["disc_cat_known"])
	printf "    (%d discovery requests with history, %d without both categories known)\n",
	    c["disc_history"], c["disc_history"] - c["disc_cat_known"]
	printf "  add-to-carts on items unavailable at their last snapshot: %d of %d = %s\n",
	    c["carts_unavail"], c["requests"],
	    share(c["carts_unavail"], c["requests"])
}' facts.txt
