RS_RETRAIN_ITERATIONS=ten "$ROOT/scripts/rs-retrain" -n -c "$ROOT/tests/data/retrain/ok.conf"
