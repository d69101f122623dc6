# --knn, --blend, --keep-bought, --no-fold-in need -r
rs-recommend --knn k.rsk -m m.rsa 1
