# A damaged ALS model big enough for its factors to be mapped from the
# file: a byte flipped among the user factors, a cut among the item
# factors, one so early that the user factors' claimed rows no longer fit
# the file, and a cut in the last trailer are each refused with an error
# naming the file, never a crash or other recommendations; undamaged, the
# raw model and its --compress twin recommend the same bytes.
set -e
rs-synth -q -s 0.01 -o d
rs-load -q -o ev.rse d/events.csv
rs-interactions -q -o t.rsm ev.rse
rs-als-train -q -f 64 -i 1 -o m.rsa t.rsm
rs-als-train -q -f 64 -i 1 --compress -o z.rsa t.rsm
rs-cat -H m.rsa 2>/dev/null | sed -n '1p;500p;9000p' >ids || true
rs-recommend -q -m m.rsa -k 3 ids >a.csv
rs-recommend -q -m z.rsa -k 3 ids | cmp - a.csv && echo "raw and zstd agree"
n=$(wc -c <m.rsa)
set +e
cp m.rsa flip.rsa
printf '\001' | dd of=flip.rsa bs=1 seek=$((n / 2)) conv=notrunc 2>/dev/null
rs-recommend -q -m flip.rsa -k 3 ids; echo "exit $?"
head -c $((n - 100000)) m.rsa >cut.rsa
rs-recommend -q -m cut.rsa -k 3 ids; echo "exit $?"
head -c $((n / 2)) m.rsa >short.rsa
# The byte count follows the metadata (the version); it is normalised.
{ rs-recommend -q -m short.rsa -k 3 ids 2>&1; echo "exit $?"; } |
    sed "s/stream's [0-9]* bytes/stream's N bytes/"
head -c $((n - 7)) m.rsa >cut2.rsa
rs-recommend -q -m cut2.rsa -k 3 ids; echo "exit $?"
