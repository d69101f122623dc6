# At least one property stream is required.
rs-clean-items -t tree.rse
