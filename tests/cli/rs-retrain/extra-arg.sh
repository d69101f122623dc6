"$ROOT/scripts/rs-retrain" -q now
