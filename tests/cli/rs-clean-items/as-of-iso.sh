# --as-of takes ISO dates too: 1970-01-01T00:00:02.5Z is 2500 ms.
. "$ROOT/tests/data/items/setup.sh"
rs-clean-items --csv --as-of 1970-01-01T00:00:02.5Z -t tree.rse props1.rse props2.rse
