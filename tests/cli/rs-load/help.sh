rs-load --help
