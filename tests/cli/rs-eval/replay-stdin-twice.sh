# standard input can be read once only
rs-eval -r - -H ev.rse -
