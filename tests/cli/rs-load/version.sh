rs-load --version
