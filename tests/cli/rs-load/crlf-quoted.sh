# CRLF line ends, a blank line, a quoted field with a CRLF and doubled
# quotes inside, a quoted comma: line numbers count physical lines.
cp "$ROOT"/tests/data/csv/*.csv .
rs-load -o x.rse crlf-quoted.csv && rs-cat x.rse | od -c
