# An unknown option is a usage error: exit 2, usage on stderr.
rs-clean-items --bogus -t x y
