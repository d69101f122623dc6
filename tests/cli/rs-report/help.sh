# --help prints the usage and every option on stdout, exit 0.
PATH=$ROOT/scripts:$PATH
rs-report --help
