#!/bin/sh
# synth_shape - rs-synth data behave like the real Retailrocket events:
# single-event visitors, repeat views, add-to-cart on just-viewed items,
# transactions after carts, "recently viewed" far ahead of "popular" in a
# replay, and a personal (co-occurrence) model learnt before the last 14
# days clearly ahead of popularity after them.  Loose bands; see
# synth_shape.py for the facts, their bands and the values measured on
# the real Retailrocket events sample.
set -eu
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not found" >&2; exit 77; }
rs-synth -q --scale 0.05 --seed 1 -t 2 -o data
python3 "$CASEDIR/synth_shape.py" data/events.csv --check
