"$ROOT/scripts/rs-retrain" -c
