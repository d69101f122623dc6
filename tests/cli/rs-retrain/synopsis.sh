# The man page SYNOPSIS renders to exactly the --help usage line
# (scripts/check-man-usage covers only the compiled tools in $O/bin).
command -v mandoc >/dev/null 2>&1 || { echo "mandoc not installed" >&2; exit 77; }
norm() { tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'; }
u=$("$ROOT/scripts/rs-retrain" --help | sed -n 's/^usage: //p' | norm)
s=$(MANWIDTH=1000 mandoc -Tascii -Owidth=1000 "$ROOT/man/rs-retrain.1" | col -b |
    sed -n '/^SYNOPSIS/,/^[A-Z]/p' | sed '1d;$d' | norm)
[ "$u" = "$s" ] || { echo "usage: $u"; echo "synopsis: $s"; exit 1; }
echo "$s"
