rs-cat </dev/null
