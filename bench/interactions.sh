#!/bin/sh
# bench/interactions.sh - rs-interactions against the same computation in
# pandas + scipy.sparse (bench/interactions_pandas.py), side by side in one
# run: the default matrix (view=1, addtocart=5, transaction=3, summed per
# visitor and item, rows by visitor id, columns by item id, float32) of
# every event of DIR/events.csv.
#
#   sh bench/interactions.sh DIR [rounds]      (default 3 rounds)
#
# Rows of the table, each the best of the rounds (wall, CPU = user + sys,
# peak RSS from GNU time):
#   rs-load             events.csv -> events stream (parsing, once per round)
#   rs-interactions     events stream -> matrix stream
#   rs (load + matrix)  the two above added up: CSV to matrix
#   pandas              read_csv + weights + groupby-sum into CSR + save
# plus pandas' own phase times (read_csv / compute / save), so the matrix
# step can be compared without CSV parsing too.  Then both outputs are
# compared entry by entry.  The machine is shared: run it twice and keep
# the lower figures.  Uses $O/bin (default build) and a python3 that has
# pandas and scipy ($PYTHON, else python3, else /usr/bin/python3).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-build}
bin=$root/$O/bin
dir=${1:?usage: sh bench/interactions.sh DIR [rounds]}
rounds=${2:-3}
[ -f "$dir/events.csv" ] || { echo "interactions.sh: no $dir/events.csv" >&2; exit 1; }
[ -x "$bin/rs-interactions" ] && [ -x "$bin/rs-load" ] ||
    { echo "interactions.sh: no $bin/rs-interactions or rs-load; run make" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "interactions.sh: /usr/bin/time not found" >&2; exit 1; }
py=
for p in ${PYTHON:-} python3 /usr/bin/python3; do
	if "$p" -c 'import pandas, scipy' 2>/dev/null; then py=$p; break; fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rs-bench-inter.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# run NAME CMD...: appends "NAME wall cpu rss_kb" to $tmp/times.
run() {
	name=$1; shift
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$@"
	read -r wall user sys rss <"$tmp/t"
	echo "$name $wall $(echo "$user $sys" | awk '{ print $1 + $2 }') $rss" >>"$tmp/times"
}

: >"$tmp/times"
i=0
while [ $i -lt "$rounds" ]; do
	run rs-load "$bin/rs-load" -q -o "$tmp/events.rse" "$dir/events.csv"
	run rs-interactions "$bin/rs-interactions" -o "$tmp/m.rsm" "$tmp/events.rse" 2>"$tmp/rs.err"
	if [ -n "$py" ]; then
		run pandas "$py" "$root/bench/interactions_pandas.py" \
		    "$dir/events.csv" "$tmp/p.npz" 2>"$tmp/pd.err"
	fi
	i=$((i + 1))
done

echo "events: $(tail -n 1 "$tmp/rs.err" | sed 's/^rs-interactions: //')"
awk '
{ if (!($1 in w) || $2 < w[$1]) w[$1] = $2
  if (!($1 in c) || $3 < c[$1]) c[$1] = $3
  if (!($1 in r) || $4 < r[$1]) r[$1] = $4 }
END {
	printf "%-20s %8s %8s %9s\n", "step", "wall_s", "cpu_s", "rss_MB"
	n = split("rs-load rs-interactions", order, " ")
	for (i = 1; i <= n; i++)
		printf "%-20s %8.2f %8.2f %9.1f\n", order[i], w[order[i]],
		    c[order[i]], r[order[i]] / 1024
	lw = w["rs-load"] + w["rs-interactions"]
	lc = c["rs-load"] + c["rs-interactions"]
	lr = r["rs-load"] > r["rs-interactions"] ? r["rs-load"] : r["rs-interactions"]
	printf "%-20s %8.2f %8.2f %9.1f\n", "rs (load + matrix)", lw, lc, lr / 1024
	if ("pandas" in w) {
		printf "%-20s %8.2f %8.2f %9.1f\n", "pandas + scipy", w["pandas"],
		    c["pandas"], r["pandas"] / 1024
		printf "speed-up, CPU: %.1fx (CSV to matrix), %.1fx (matrix step alone vs all of pandas)\n",
		    c["pandas"] / lc, c["pandas"] / c["rs-interactions"]
		printf "peak RSS: rs-interactions %.0f%% of pandas\n",
		    100 * r["rs-interactions"] / r["pandas"]
	}
}' "$tmp/times"
if [ -z "$py" ]; then
	echo "pandas: no python3 with pandas and scipy; skipped"
	exit 0
fi
echo "$(cat "$tmp/pd.err") (last round)"

# Entry-by-entry comparison of the two matrices.
"$bin/rs-interactions" -q --csv "$tmp/events.rse" >"$tmp/rs.csv"
"$py" - "$tmp/rs.csv" "$tmp/p.npz" <<'EOF'
import sys
import numpy as np
import pandas as pd
import scipy.sparse as sp
rs = pd.read_csv(sys.argv[1])
m = sp.load_npz(sys.argv[2]).tocoo()
rows = np.load(sys.argv[2] + ".rows.npy")
cols = np.load(sys.argv[2] + ".cols.npy")
same = (len(rs) == m.nnz and
        (rs["user"].to_numpy(np.uint64) == rows[m.row]).all() and
        (rs["item"].to_numpy(np.uint64) == cols[m.col]).all() and
        (rs["value"].to_numpy(np.float32) == m.data).all())
print("outputs agree entry by entry: %s (%d nonzeros)"
      % ("yes" if same else "NO", m.nnz))
EOF
