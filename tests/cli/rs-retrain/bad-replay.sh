RS_RETRAIN_REPLAY=maybe "$ROOT/scripts/rs-retrain" -n -c "$ROOT/tests/data/retrain/ok.conf"
