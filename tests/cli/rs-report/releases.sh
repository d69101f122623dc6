# --releases: the gate metrics of each release.env against its created
# time, a series per metric, the k of the run in the names; a directory
# of releases works as well as the output_dir holding one; temporary
# releases (.tmp-*) are not read.
PATH=$ROOT/scripts:$PATH
rel() { # NAME CREATED RECALL BLEND HIT
	mkdir -p "out/releases/$1"
	printf 'name=%s\ncreated=%s\ncutoff=1\nrecall_at_10=%s\nblend_recall_at_10=%s\nblend=recent:5,itemknn:5\nreplay_hit_at_10=%s\nrecall_popular=0.1\nrecall_recent=0.15\nk=10\n' \
	    "$1" "$2" "$3" "$4" "$5" >"out/releases/$1/release.env"
}
rel 20231114T221320Z-aa 1700000000 0.2 0.3 0.6
rel 20231115T221320Z-bb 1700086400 0.22 0.31 0.62
rel .tmp-20231116T221320Z-cc 1700172800 bad bad bad
rs-report --releases out --svg-dir figs >page.html
echo "exit $?"
cat figs/releases-gate-metrics-10.svg
rs-report --releases out/releases --svg-dir figs2 >/dev/null
cmp figs/releases-gate-metrics-10.svg figs2/releases-gate-metrics-10.svg && echo same
