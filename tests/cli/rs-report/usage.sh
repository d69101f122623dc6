# Wrong usage is exit 2 with one line saying why, then the usage: an
# unknown option, nothing to draw, a missing argument, a bad --runs,
# standard input twice, an operand.
PATH=$ROOT/scripts:$PATH
for args in "--bogus" "" "--eda" "--eda x --runs 0" "--eda x --runs 1x" \
    "--eda - --replay -" "--eda x extra"; do
	# shellcheck disable=SC2086
	rs-report $args
	echo "rs-report $args: exit $?"
done
