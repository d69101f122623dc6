"$ROOT/scripts/rs-retrain" -c /nonexistent/retrain.conf
