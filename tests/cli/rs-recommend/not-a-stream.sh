# CSV where a model stream is expected.
printf 'a,b\n1,2\n' >m.csv
rs-recommend -m m.csv </dev/null
