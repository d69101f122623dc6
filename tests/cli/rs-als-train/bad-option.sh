# an unknown option is a usage error (exit 2)
rs-als-train --nope
