# The README's "A pipeline to paste", "The replay protocol" and "Serving
# live", and the
# EXAMPLES of rs(7), run as
# written (at the small scale they use), the way jq tests its manual: a
# documented command that stops working fails here.
set -eu
mkdir -p bin
# The README says `export PATH=$PWD/bin:$PATH` after make; here the build's
# tools are already first on PATH.
readme_block() {
	# From the section's title to the next section's underline; a line
	# ending in a backslash continues in the next one.
	awk -v title="$1" '$0 == title {on = 1; getline; next}
	     on && /^---/ {exit}
	     on && /^    / {sub(/^    /, ""); print}' "$ROOT/README"
}
mkdir readme && cd readme
readme_block 'A pipeline to paste' | grep -v '^export PATH' >pipeline.sh
[ "$(wc -l <pipeline.sh)" -gt 10 ] || { echo "README pipeline not found"; exit 1; }
sh -eu pipeline.sh >out.txt 2>err.txt || { echo "README pipeline failed:"; tail -20 err.txt; exit 1; }
grep -q '^label' out.txt || { echo "README pipeline printed no metric table"; exit 1; }
# "The replay protocol" continues in the same directory: it uses the
# pipeline's streams, models and cut-off $t.
{ echo "t=\$(rs-cat -m until train.rsm)"; readme_block 'The replay protocol'; } >replay.sh
[ "$(wc -l <replay.sh)" -gt 8 ] || { echo "README replay section not found"; exit 1; }
sh -eu replay.sh >rout.txt 2>rerr.txt || { echo "README replay section failed:"; tail -20 rerr.txt; exit 1; }
grep -q '^recent:5,itemknn:5,category:0,popular:0 *all' rout.txt || { echo "README replay printed no blend row"; exit 1; }
[ "$(head -n 1 recs.csv)" = request,visitor,item,rank,score,source ] ||
    { echo "README serving example wrote no lists"; exit 1; }
# "Serving live": the server's command as written, on port 0 instead of
# 8080 (a test must not take a fixed port); then the curl lines as
# written, with the port it printed.
readme_block 'Serving live' >serve_blocks.txt
serve_cmd=$(sed -n '1,/[^\\]$/p' serve_blocks.txt | tr -d '\\\n')
curls=$(grep -n '^curl' serve_blocks.txt | head -n 1 | cut -d: -f1)
[ -n "$serve_cmd" ] && [ -n "$curls" ] || { echo "README serving section not found"; exit 1; }
eval "exec $serve_cmd -l 127.0.0.1:0 -q" >serve.url 2>serve.err &
pid=$!
trap 'kill $pid 2>/dev/null || :' EXIT
i=0
while [ ! -s serve.url ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
port=$(sed -n 's,^http://127.0.0.1:\([0-9]*\)/$,\1,p' serve.url)
[ -n "$port" ] || { kill $pid; echo "README rs-serve did not start:"; cat serve.err; exit 1; }
tail -n "+$curls" serve_blocks.txt | sed "s/127.0.0.1:8080/127.0.0.1:$port/g" >curl.sh
sh -eu curl.sh >sout.txt 2>serr.txt || { kill $pid; echo "README curl examples failed:"; cat serr.txt; exit 1; }
kill $pid
wait $pid || { echo "README rs-serve did not stop cleanly:"; cat serve.err; exit 1; }
[ "$(grep -c '"visitor":42' sout.txt)" = 2 ] || { echo "README curl: no two answers for visitor 42"; cat sout.txt; exit 1; }
grep -q '"answer":"blended"' sout.txt || { echo "README curl: the posted view was not seen"; cat sout.txt; exit 1; }
grep -q '^rs_serve_answers_total{how="blended"} [12]$' sout.txt || { echo "README curl: metrics"; cat sout.txt; exit 1; }
[ -s new-events/events-00000001.csv ] || { echo "README rs-serve kept no event log"; exit 1; }
cd ..

# rs(7): every .Bd -literal block of EXAMPLES, in order, in one directory.
mkdir man7 && cd man7
awk '/^\.Sh EXAMPLES/ {ex = 1} /^\.Sh SEE ALSO/ {ex = 0}
     ex && /^\.Bd -literal/ {on = 1; next} on && /^\.Ed/ {on = 0; next}
     on {gsub(/\\e/, "\\"); print}' "$ROOT/man/rs.7" >examples.sh
[ "$(wc -l <examples.sh)" -gt 10 ] || { echo "rs(7) examples not found"; exit 1; }
sh -eu examples.sh >out.txt 2>err.txt || { echo "rs(7) examples failed:"; tail -20 err.txt; exit 1; }
grep -q '^kind	model$' out.txt || { echo "rs(7) pipe example printed no model info"; exit 1; }
echo "README and rs(7) examples ran"
