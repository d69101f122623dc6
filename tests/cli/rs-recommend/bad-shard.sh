# --shard wants i/n with i < n.
rs-recommend --shard 3/3 -m m.rsa
