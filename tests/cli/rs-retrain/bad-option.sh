"$ROOT/scripts/rs-retrain" -x
