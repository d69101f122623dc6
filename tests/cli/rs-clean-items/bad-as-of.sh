# --as-of takes milliseconds or an ISO date; anything else is a usage error.
rs-clean-items --as-of yesterday -t x y
