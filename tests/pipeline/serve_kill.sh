# kill -9 mid-ingest with --sync always: a client posts events as fast as
# it can; the server is killed at a random moment; after a restart on
# the same event log every acknowledged event is in the log and in the
# sessions.  Then a torn last line (a write cut short) is skipped with a
# warning and cut off the file, never half-read.
exec python3 "$ROOT/tests/pipeline/serve_kill.py"
