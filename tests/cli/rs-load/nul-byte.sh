# A NUL byte in a field: the message names its line and column (it was
# cut at the NUL), also inside a quoted field that spans lines.
printf 'timestamp,visitorid,event,itemid,transactionid\n' >nul.csv
printf '1,2,vi\000ew,3,\n' >>nul.csv
printf '4,5,"vi\n\000ew",6,\n' >>nul.csv
printf '7,8,view,9,\n' >>nul.csv
rs-load nul.csv | rs-cat
