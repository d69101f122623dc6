rs-load -j two
