# rs-serve's endpoints and its answers to bad input: every endpoint on a
# server started on 127.0.0.1 port 0; a corpus of bad requests (sent raw
# or with http.client), each answered with the right status and a JSON
# error body, the process unharmed; /metrics counts them and passes
# promtool check metrics.
exec python3 "$ROOT/tests/pipeline/serve_http.py"
