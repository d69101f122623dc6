rs-cat --version
