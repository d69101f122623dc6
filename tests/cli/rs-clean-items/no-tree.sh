# The category tree is required.
rs-clean-items props.rse
