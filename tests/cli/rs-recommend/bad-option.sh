# An unknown option: one line from getopt, the usage, exit 2.
rs-recommend --bogus -m m.rsa
