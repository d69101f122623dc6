# -h prints the full help to stdout and exits 0.
rs-clean-items -h
