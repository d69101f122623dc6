"$ROOT/scripts/rs-retrain" --version
