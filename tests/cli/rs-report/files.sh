# With -o the page goes to the file and each figure to FILE-figures/,
# each the same markup as the page's copy (less the XML declaration); -v
# names every file written; no temporary file is left; a second run,
# with --svg-dir, gives the same bytes.
PATH=$ROOT/scripts:$PATH
. "$CASEDIR/tiny-inputs"
rs-report -v -o r.html --eda eda.tsv --eval eval.csv --replay replay.csv
echo "exit $?"
ls -A . r-figures
for f in r-figures/*.svg; do
	name=${f#r-figures/}
	name=${name%.svg}
	awk -v id="<figure id=\"$name\">" '$0 == id { on = 1; next }
	    on { print } on && $0 == "</svg>" { exit }' r.html >inpage.svg
	sed 1d "$f" | cmp -s - inpage.svg || echo "$f: differs from the page's copy"
done
mkdir again
rs-report -o again/r.html --svg-dir again/figs --eda eda.tsv --eval eval.csv --replay replay.csv
cmp r.html again/r.html && echo "same page"
for f in r-figures/*.svg; do cmp "$f" "again/figs/${f#r-figures/}" || echo "$f differs"; done
