rs-load --kind items
