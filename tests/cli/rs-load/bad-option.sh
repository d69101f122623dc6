rs-load --bogus
