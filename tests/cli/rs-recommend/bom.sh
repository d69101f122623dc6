# a UTF-8 byte order mark before the first id (as Windows editors write)
# is skipped: the same rows as without it, for visitors and for
# --only-items; one elsewhere is still an error
. "$ROOT/tests/data/recommend/setup.sh" >/dev/null
printf '100\r\n200\r\n' >plain.txt
printf '\357\273\277100\r\n200\r\n' >bom.txt
rs-recommend -k 2 -m m.rsa plain.txt >plain.csv
rs-recommend -k 2 -m m.rsa bom.txt >bom.csv
cmp plain.csv bom.csv
printf '\357\273\2773\n4\n' >items.txt
rs-recommend -k 2 -m m.rsa --only-items items.txt bom.txt
printf '100\n\357\273\277200\n' >mid.txt
rs-recommend -k 2 -m m.rsa mid.txt
