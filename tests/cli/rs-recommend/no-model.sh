# The model is required.
rs-recommend --all
