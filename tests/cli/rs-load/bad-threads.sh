rs-load -t two
