# Trailing garbage in a number is a usage error.
rs-clean-items --top 3x -t x y
