# The first line of the help is the usage line (stdout, exit 0).
rs-synth --help | head -n 1
