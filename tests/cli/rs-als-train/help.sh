# --help prints the usage and options on stdout, exit 0
rs-als-train --help
