# --version prints the version
rs-answer --version
