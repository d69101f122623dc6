# A failed run leaves the page and the figures as they were, and no
# temporary file behind; -o - is standard output.
PATH=$ROOT/scripts:$PATH
. "$CASEDIR/tiny-inputs"
rs-report -o r.html --eda eda.tsv --eval eval.csv
cp r.html old.html
cp r-figures/funnel.svg old.svg
printf 'label,file,recall_at_5\npopular,p.csv,x\n' >bad.csv
rs-report -o r.html --eda eda.tsv --eval bad.csv
echo "exit $?"
cmp r.html old.html && cmp r-figures/funnel.svg old.svg && echo "unchanged"
ls -A . r-figures | grep -c tmp
rs-report -o - --eval eval.csv | grep -c "<figure id="
