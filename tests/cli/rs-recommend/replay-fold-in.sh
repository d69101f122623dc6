# fold-in is on with -r: --fold-in is refused, --no-fold-in turns it off
rs-recommend --fold-in -r r.rsq -H ev.rse
