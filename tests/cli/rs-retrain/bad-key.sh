cd "$ROOT/tests/data/retrain" && "$ROOT/scripts/rs-retrain" -n -c bad-key.conf
