# A failed run leaves an existing output untouched.
echo old >out.csv
printf 'junk' | rs-cat -o out.csv -
echo "exit $?"
cat out.csv
