# A bad quoted field with a newline inside: one message line, at the
# line where the row started, with the newline shown as \n.
printf 'timestamp,visitorid,event,itemid,transactionid\n' >nl.csv
printf '1,2,"vi\new",3,\n' >>nl.csv
printf '4,5,view,6,\n' >>nl.csv
rs-load nl.csv | rs-cat
