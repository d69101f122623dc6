# --version prints the program and version to stdout.
rs-clean-items --version
