# Visitors come from one place only.
rs-recommend --all -m m.rsa ids.txt
