rs-eval --bogus
