"$ROOT/scripts/rs-retrain" --help
