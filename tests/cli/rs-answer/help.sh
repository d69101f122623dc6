# --help prints the full help to stdout
rs-answer --help
