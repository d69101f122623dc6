# -k 0 is a usage error naming the option.
rs-recommend -k 0 -m m.rsa
