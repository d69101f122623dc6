# --version prints the program and toolkit version
rs-als-train --version
