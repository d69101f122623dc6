rs-load -o x.rse no-such.csv
