# -A (like --knn-context, --knn-decay and --popular-window) needs -r
rs-recommend -A p.rse -m m.rsa 1
