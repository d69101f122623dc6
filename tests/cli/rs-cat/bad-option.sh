rs-cat --bogus
