rs-eval --version
