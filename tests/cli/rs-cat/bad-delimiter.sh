rs-cat -d x
