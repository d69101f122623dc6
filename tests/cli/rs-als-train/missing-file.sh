# a missing input is a runtime error (exit 1)
rs-als-train -o m.rsa missing.rsm
