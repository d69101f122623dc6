# A missing model file.
rs-recommend -m nonexistent.rsa </dev/null
