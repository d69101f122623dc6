# Live equals measured: the replay window's events are fed to a running
# rs-serve through POST /events in time order, and just before each
# add-to-cart request of rs-requests the server is asked
# /recommendations?visitor=V&at=T; its lists must be rs-replay -a's rows,
# row for row (item, rank, score, source), for the same blend and K
# (a blend with the category source among them).
exec python3 "$ROOT/tests/pipeline/serve_live.py"
