rs-recommend --version
