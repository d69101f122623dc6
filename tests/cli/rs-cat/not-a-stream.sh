printf 'timestamp,visitorid,event,itemid,transactionid\n' | rs-cat
