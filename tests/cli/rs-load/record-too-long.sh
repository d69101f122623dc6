# A quote that never closes on a long input: the reader gives up at
# 32 MiB for one record, naming the line where the record starts, instead
# of growing without bound.
{ printf 'categoryid,parentid\n1,2\n3,"'; head -c 34000000 /dev/zero | tr '\0' a; } >t.csv
rs-load -o x.rse t.csv
