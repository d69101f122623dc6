# --early-stop means nothing without --validate
rs-als-train --early-stop nothing.rsm
