# --loss with the exact solver: the objective never rises
set -e
rs-interactions -q -o t.rsm $ROOT/tests/data/interactions/tiny.rse
rs-als-train -s exact -f 2 -i 6 -r 0.5 -a 2 --loss -o m.rsa t.rsm 2>loss
awk '{ v = $4 + 0; if (NR > 1 && v > prev * (1 + 1e-6)) { print "loss rose at " NR; exit 1 } prev = v } END { print NR " iterations, loss falling" }' loss
