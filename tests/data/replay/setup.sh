# setup.sh - sourced by the replay CLI cases (rs-answer, rs-eval -r,
# rs-replay): writes the events of this directory as an event stream,
# ev.rse, and their add-to-cart requests, r.rsq, in the current directory.
rs-load -q -o ev.rse "$ROOT/tests/data/replay/events.csv"
rs-requests -q -o r.rsq ev.rse
