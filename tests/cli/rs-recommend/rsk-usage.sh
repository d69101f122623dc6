# -f rsk writes the unfiltered table of every model item: it needs
# --similar and --all and takes no filters; --similar-table is for
# --similar.  Wrong usage exits 2 with the reason (first line shown).
. "$ROOT/tests/data/recommend/setup.sh"
set +e
try() {
	"$@" >out 2>err
	echo "exit $?: $(head -n 1 err)"
}
try rs-recommend -f rsk --similar -m m.rsa ids.txt
try rs-recommend -f rsk -a -m m.rsa
try rs-recommend -f rsk --similar -a --items items.rsi -m m.rsa
try rs-recommend -f rsk --similar -a --shard 0/2 -m m.rsa
try rs-recommend -f rsk --similar -a --similar-table t.rsk -m m.rsa
try rs-recommend --similar-table t.rsk -a -m m.rsa
try rs-recommend -f rss --similar -a -m m.rsa
# a stream never goes to a full disk silently
rs-recommend -q --similar -a -f rsk -m m.rsa >/dev/full
