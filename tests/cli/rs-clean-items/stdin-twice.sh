# Standard input can be read once only.
rs-clean-items -t - -
