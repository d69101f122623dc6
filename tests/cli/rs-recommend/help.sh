# --help prints the usage and the options to stdout, exit 0.
rs-recommend --help
