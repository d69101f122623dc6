# -n takes a count from 0 to 255, checked with its option named.
rs-clean-items -n 256 -t x y
