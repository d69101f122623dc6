rs-cat --help | head -n 1
