#!/bin/sh
# serve.sh - benchmark of rs-serve (issue #13) beside its two references,
# in the same run, on loopback only:
#   static   the ceiling: bench/serve_static.c, the same HTTP library and
#            settings answering one fixed 10-item body
#   rs-serve a scale-1 release (ALS f = 64 with its neighbours table,
#            popular, item-kNN, the item table and tree), the
#            history of every event, --event-log with --sync interval
#   fastapi  the original project's design: FastAPI + uvicorn answering
#            from precomputed lists in a dict (bench/serve_fastapi.py;
#            Debian python3-fastapi, python3-uvicorn)
#
#   sh bench/serve.sh [dir]
#
# dir (default ${BENCH_DIR:-/tmp/rs-bench}/scale-1) holds or gets the
# scale-1 data as bench/recommend.sh makes it.  wrk (Debian wrk) drives
# each endpoint for DUR seconds (default 10) with CONNS connections
# (default 32) from one thread, RUNS rounds (default 3) interleaving the
# three servers; the medians are printed with the ratios.  Endpoints:
# /recommendations for visitors active in the last 14 days (80 %) and
# unknown ones (20 %) with the release's blend, rs-retrain's default
# recent:5,itemknn:5,category:0,popular:0 ("recs"); the same with a
# blend that folds the visitor into ALS, recent:4,itemknn:3,als:3,
# popular:0 ("recs-als", by &blend=); /similar for items of those days;
# POST /events of one view each.  Then rs-serve again under /recommendations load while
# it is sent SIGHUP 10 times, each once the reload before it is done
# (errors and reloads counted, and how long each took), its RSS, and
# its release load time.  Client and servers share the 2 cores.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
dir=${1:-${BENCH_DIR:-/tmp/rs-bench}/scale-1}
bin=$root/$O/bin
DUR=${DUR:-10}
CONNS=${CONNS:-32}
RUNS=${RUNS:-3}
export OPENBLAS_NUM_THREADS=1
command -v wrk >/dev/null || { echo "serve.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
/usr/bin/python3 -c 'import fastapi, uvicorn' 2>/dev/null ||
    { echo "serve.sh: needs python3-fastapi and python3-uvicorn" >&2; exit 1; }
[ -x "$bin/rs-serve" ] || { echo "serve.sh: build first (make O=$O)" >&2; exit 1; }
mkdir -p "$dir"
work=$(mktemp -d "${TMPDIR:-/tmp}/rs-serve-bench.XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# ---- the release ----
if [ ! -f "$dir/events.rse" ]; then
	[ -f "$dir/csv/events.csv" ] || "$bin/rs-synth" -q -t 2 -s 1 -o "$dir/csv"
	"$bin/rs-load" -q -o "$dir/events.rse" "$dir/csv/events.csv"
fi
[ -f "$dir/train.rsm" ] || "$bin/rs-interactions" -q --until end-14d \
    -o "$dir/train.rsm" "$dir/events.rse"
cut=$("$bin/rs-cat" -m until "$dir/train.rsm")
# (a model from before the scan spaces, rs-stream(5), is trained again)
"$bin/rs-cat" -m space_version "$dir/rec-model.rsa" >/dev/null 2>&1 ||
    "$bin/rs-als-train" -q -f 64 -i 3 -t 2 -o "$dir/rec-model.rsa" \
    "$dir/train.rsm"
[ -f "$dir/popular.rsa" ] || "$bin/rs-als-train" -q -m popular \
    -o "$dir/popular.rsa" "$dir/train.rsm"
[ -f "$dir/knn.rsk" ] || "$bin/rs-knn-train" -q --until "$cut" \
    -o "$dir/knn.rsk" "$dir/events.rse"
# the neighbours table rs-retrain puts in a release (similar.rsk)
[ -f "$dir/rec-similar.rsk" ] || "$bin/rs-recommend" -q --similar -a -f rsk \
    -t 2 -m "$dir/rec-model.rsa" -o "$dir/rec-similar.rsk"
# the item table and tree rs-retrain puts in a release (categories,
# availability at the cut)
[ -f "$dir/props1.rse" ] || "$bin/rs-load" -q -o "$dir/props1.rse" \
    "$dir/csv/item_properties_part1.csv"
[ -f "$dir/props2.rse" ] || "$bin/rs-load" -q -o "$dir/props2.rse" \
    "$dir/csv/item_properties_part2.csv"
[ -f "$dir/tree.rse" ] || "$bin/rs-load" -q -o "$dir/tree.rse" \
    "$dir/csv/category_tree.csv"
[ -f "$dir/items-cut.rse" ] || "$bin/rs-clean-items" -q -a "$cut" \
    -t "$dir/tree.rse" -o "$dir/items-cut.rse" "$dir/props1.rse" \
    "$dir/props2.rse"
rel=$work/models/releases/bench
mkdir -p "$rel"
ln "$dir/items-cut.rse" "$rel/items.rse"
ln "$dir/tree.rse" "$rel/tree.rse"
ln "$dir/rec-similar.rsk" "$rel/similar.rsk"
ln "$dir/rec-model.rsa" "$rel/als.rsa"
ln "$dir/popular.rsa" "$rel/popular.rsa"
ln "$dir/knn.rsk" "$rel/knn.rsk"
printf 'name=bench\ncreated=%s\nblend=recent:5,itemknn:5,category:0,popular:0\n' \
    "$(date +%s)" >"$rel/release.env"
echo bench >"$rel/COMPLETE"
ln -s releases/bench "$work/models/current"

# ---- what the clients ask ----
"$bin/rs-requests" -q --visitors --since end-14d -o "$work/now.rsq" \
    "$dir/events.rse"
"$bin/rs-cat" -H "$work/now.rsq" | awk -F, 'BEGIN {srand(1)}
    {if (rand() < 0.2) print $2}' | head -n 8000 >"$work/visitors"
"$bin/rs-cat" -H "$dir/events.rse" | awk -F, -v cut="$cut" 'BEGIN {srand(2)}
    $1 >= cut && rand() < 0.05 {print $4}' | sort -u | head -n 10000 >"$work/items"
awk '{print "GET /recommendations?visitor=" $1 "&k=10"}
    END {for (i = 0; i < 2000; i++)
        printf "GET /recommendations?visitor=%.0f&k=10\n", 900000000000 + i}' \
    "$work/visitors" | awk 'BEGIN {srand(3)} {print rand() "\t" $0}' |
    sort -k1,1 | cut -f2 >"$work/recs.paths"
# the ALS blend: &blend= on rs-serve, the same precomputed lists on the
# references (a dict lookup costs the same whichever blend made it)
sed 's/&k=10$/\&k=10\&blend=recent:4,itemknn:3,als:3,popular:0/' \
    "$work/recs.paths" >"$work/recs-als.rs.paths"
awk '{print "GET /similar?item=" $1 "&k=10"}' "$work/items" >"$work/similar.paths"
paste -d' ' "$work/visitors" "$work/items" | awk 'NF == 2 {
    printf "POST /events {\"visitorid\":%s,\"itemid\":%s,\"event\":\"view\"}\n",
    $1, $2}' >"$work/events.paths"
echo "clients: $(wc -l <"$work/recs.paths") visitor paths ($(wc -l <"$work/visitors") active, 2000 unknown), $(wc -l <"$work/items") items"

# ---- the FastAPI app's precomputed lists: the same release's answers ----
"$bin/rs-answer" -q -t 2 -r "$work/now.rsq" -H "$dir/events.rse" \
    -m "$rel/als.rsa" -p "$rel/popular.rsa" -n "$rel/knn.rsk" \
    -i "$rel/items.rse" --tree "$rel/tree.rse" \
    -b recent:5,itemknn:5,category:0,popular:0 -k 10 -o "$work/all-recs.csv"
awk -F, 'NR == FNR {want[$1] = 1; next} FNR == 1 || ($2 in want)' \
    "$work/visitors" "$work/all-recs.csv" >"$work/recs.csv"
"$bin/rs-recommend" -q -t 2 -m "$rel/als.rsa" --similar -k 10 \
    --similar-table "$rel/similar.rsk" -o "$work/similar.csv" "$work/items"

# ---- servers ----
port_of() {	# waits for a server's URL line in file $1
	i=0
	while [ ! -s "$1" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
	sed -n 's,^http://127.0.0.1:\([0-9]*\)/$,\1,p' "$1"
}
cc -O2 -o "$work/serve_static" "$root/bench/serve_static.c" \
    $(pkg-config --cflags --libs libmicrohttpd) -lpthread
"$work/serve_static" 18481 2 & pids="$pids $!"
t0=$(date +%s.%N)
"$bin/rs-serve" -t 2 -l 127.0.0.1:0 --models "$work/models" \
    -H "$dir/events.rse" --event-log "$work/log" >"$work/rs.url" 2>"$work/rs.err" &
rs_pid=$!
pids="$pids $rs_pid"
rs_port=$(port_of "$work/rs.url")
t1=$(date +%s.%N)
[ -n "$rs_port" ] || { cat "$work/rs.err"; exit 1; }
/usr/bin/python3 "$root/bench/serve_fastapi.py" "$work/recs.csv" \
    "$work/similar.csv" 18482 2>"$work/fa.err" & pids="$pids $!"
i=0
until curl -s -o /dev/null http://127.0.0.1:18482/docs || [ $i -gt 600 ]; do sleep 0.1; i=$((i + 1)); done
echo "rs-serve: started (history, sessions, release) in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s; RSS $(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$rs_pid/status)"

run_wrk() {	# $1 port, $2 paths file, $3 duration: prints the RESULT line
	wrk -t1 -c"$CONNS" -d"${3:-$DUR}s" --timeout 5s -s "$root/bench/serve_paths.lua" \
	    "http://127.0.0.1:$1" -- "$2" 2>&1 | grep '^RESULT'
}
echo "load: wrk -t1 -c$CONNS -d${DUR}s, $RUNS rounds interleaved; servers -t 2"
: >"$work/results"
r=1
while [ $r -le "$RUNS" ]; do
	for ep in recs recs-als similar events; do
		for srv in static rs-serve fastapi; do
			case $srv in
			static) port=18481 ;;
			rs-serve) port=$rs_port ;;
			fastapi) port=18482 ;;
			esac
			paths=$work/$ep.paths
			[ "$ep" != recs-als ] || paths=$work/recs.paths
			[ "$ep$srv" != recs-alsrs-serve ] ||
			    paths=$work/recs-als.rs.paths
			echo "$srv $ep $(run_wrk $port "$paths")" >>"$work/results"
		done
	done
	r=$((r + 1))
done
get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
printf '\n%-9s %-10s %10s %9s %9s %9s %8s\n' server endpoint 'req/s' 'p50 ms' 'p99 ms' 'p99.9 ms' errors
for ep in recs recs-als similar events; do
	for srv in static rs-serve fastapi; do
		f=$(grep "^$srv $ep " "$work/results")
		rps=$(echo "$f" | get rps | median)
		printf '%-9s %-10s %10s %9s %9s %9s %8s\n' "$srv" "$ep" "$rps" \
		    "$(echo "$f" | get p50 | median)" "$(echo "$f" | get p99 | median)" \
		    "$(echo "$f" | get p999 | median)" \
		    "$(echo "$f" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^(non2xx|errors)=/) {split($i, a, "="); s += a[2]}} END {print s + 0}')"
		eval "rps_$(echo $srv | tr -d -)_$(echo $ep | tr -d -)=$rps"
	done
	e=$(echo $ep | tr -d -)
	eval "s=\$rps_static_$e r=\$rps_rsserve_$e f=\$rps_fastapi_$e"
	awk -v ep="$ep" -v s="$s" -v r="$r" -v f="$f" 'BEGIN {
	    printf "  %s: rs-serve / static = %.2f, rs-serve / fastapi = %.1fx\n",
	    ep, r / s, r / f}'
done

# ---- reloads under load ----
# Ten reloads, each SIGHUP sent once the reload before it is counted (a
# signal during a reload only marks one more), under RELOAD_DUR seconds
# (default 90) of /recommendations; refused reloads are counted too.
reloads() { curl -s "http://127.0.0.1:$rs_port/metrics" |
    awk '/^rs_serve_reloads_total / {r = $2} /^rs_serve_reload_failures_total / {f = $2} END {print r + f}'; }
before=$(reloads)
RELOAD_DUR=${RELOAD_DUR:-90}
run_wrk "$rs_port" "$work/recs.paths" "$RELOAD_DUR" >"$work/reload.result" &
wp=$!
sleep 2
n=0 t0=$(date +%s)
while [ $n -lt 10 ] && kill -0 "$wp" 2>/dev/null; do
	kill -HUP "$rs_pid"
	while [ "$(reloads)" -le $((before + n)) ] && kill -0 "$wp" 2>/dev/null; do
		sleep 0.2
	done
	n=$((n + 1))
done
t1=$(date +%s)
wait $wp
after=$(reloads)
echo
echo "reloads under load: $((after - before)) reloads in $((t1 - t0)) s, within $RELOAD_DUR s of /recommendations: $(cat "$work/reload.result")"
# rs-serve logs each load: "... loaded in S s" (the first is the start's)
sed -n 's/.* loaded in \([0-9.]*\) s.*/\1/p' "$work/rs.err" >"$work/loads"
echo "release load at start: $(head -n 1 "$work/loads") s; under load, $(tail -n +2 "$work/loads" |
    sort -g | awk '{v[++n] = $1} END {if (n) printf "%d reloads: median %.2f s, max %.2f s", n, v[int((n + 1) / 2)], v[n]; else printf "no reload"}')"
echo "rs-serve RSS after the runs: $(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$rs_pid/status) (peak $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$rs_pid/status))"
grep 'loaded in' "$work/rs.err" | tail -n 1 || :
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
