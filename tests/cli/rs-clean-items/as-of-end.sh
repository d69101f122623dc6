# --as-of end-DURATION counts from the property streams' last snapshot:
# the same table as the absolute time it resolves to; standard input
# cannot be read twice, so it is refused for a relative time.
. "$ROOT/tests/data/items/setup.sh"
end=$(rs-cat -H props1.rse props2.rse | cut -d, -f1 | sort -n | tail -1)
rs-clean-items --csv -a end-1s -t tree.rse props1.rse props2.rse >rel.csv
rs-clean-items --csv -a $((end - 1000)) -t tree.rse props1.rse props2.rse \
    >abs.csv
cmp rel.csv abs.csv && echo same
rs-clean-items --csv -a end -t tree.rse props1.rse props2.rse >e.csv
rs-clean-items --csv -t tree.rse props1.rse props2.rse >d.csv
cmp e.csv d.csv && echo "end is the default"
rs-clean-items -a end-1d -t tree.rse - <props1.rse
