# unknown solver names are usage errors
rs-als-train -s lu nothing.rsm
