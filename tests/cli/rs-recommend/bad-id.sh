# An id line that is not an integer: error naming the file and line.
. "$ROOT/tests/data/recommend/setup.sh"
printf '100\n\n2x0\n' >ids.txt
rs-recommend -m m.rsa ids.txt
