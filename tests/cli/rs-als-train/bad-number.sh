# --factors 0 is refused before reading anything
rs-als-train --factors 0 nothing.rsm
