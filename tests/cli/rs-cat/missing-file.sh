rs-cat does-not-exist.rse
