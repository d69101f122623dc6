rs-eval --help | head -n 1
