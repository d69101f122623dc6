# The steps of a run, from the configuration and the environment (an
# environment key wins over the file); nothing is created.
RS_RETRAIN_FACTORS=8 RS_RETRAIN_CONFIG="$ROOT/tests/data/retrain/ok.conf" "$ROOT/scripts/rs-retrain" -n |
    sed -e "s|$PWD|.|g" -e "s|$ROOT|\$ROOT|g" -e 's/[0-9]\{8\}T[0-9]\{6\}Z-[0-9a-f]*/NAME/g'
test ! -e models
