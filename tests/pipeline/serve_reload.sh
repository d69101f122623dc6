# Releases swapped under load: two client threads keep asking
# /recommendations and /similar while current is pointed at three
# releases in turn (rename of a symlink, as rs-retrain publishes) and
# SIGHUP is sent; every response is a 200 with a well-formed list from
# one of the releases.  A damaged release and an incomplete one are
# refused, counted, and the served one keeps serving.
exec python3 "$ROOT/tests/pipeline/serve_reload.py"
