# Records after --as-of change nothing: the full data at T gives the same
# table as the data cut at T, and changing a later record changes nothing.
. "$ROOT/tests/data/items/setup.sh"
cat "$ROOT/tests/data/items/props1.csv" "$ROOT/tests/data/items/props2.csv" |
    awk -F, 'NR == 1 || ($1 != "timestamp" && $1 <= 2000)' >cut.csv
rs-load -q -o cut.rse cut.csv 2>/dev/null
printf 'timestamp,itemid,property,value\n2001,100,categoryid,1\n2001,100,5,n1.000\n2001,900,available,1\n2001,300,available,0\n' >late.csv
rs-load -q -o late.rse late.csv 2>/dev/null
rs-clean-items -q --csv -a 2000 -t tree.rse cut.rse >a.csv
rs-clean-items -q --csv -a 2000 -t tree.rse props1.rse props2.rse late.rse >b.csv
cmp a.csv b.csv && cat a.csv
