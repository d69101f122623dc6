import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "helper"))
from rsserve import Server, build, events, fail  # noqa

build()
srv = Server(["-q", "-H", "ev.rse", "-m", "a.rsa", "-p", "p.rsa", "-n",
              "k.rsk", "-i", "items.rse", "--max-body", "4096"])
rows = events("ev.rse")
v = rows[-1][1]
item = rows[-1][3]

# ---- endpoints ----
h = srv.get_json("/healthz")
if h != {"status": "ok", "release": "files"}:
    fail("healthz %r" % h)
r = srv.get_json("/recommendations?visitor=%d&k=7" % v)
if r["visitor"] != v or r["k"] != 7 or len(r["items"]) != 7:
    fail("recommendations %r" % r)
if r["answer"] != "blended" or r["events"] < 1:
    fail("a visitor with events: answer %r events %r" % (r["answer"],
                                                         r["events"]))
# no -b, item-kNN and an item table: the default blend of rs-replay(1)
if r["blend"] != "recent:5,itemknn:5,category:0,popular:0":
    fail("default blend %r" % r["blend"])
if [x["rank"] for x in r["items"]] != list(range(1, 8)):
    fail("ranks %r" % r["items"])
if len({x["item"] for x in r["items"]}) != 7:
    fail("duplicate items %r" % r["items"])
# prefix consistency over HTTP: k=3 is the first 3 rows of k=7
r3 = srv.get_json("/recommendations?visitor=%d&k=3" % v)
if r3["items"] != r["items"][:3]:
    fail("k=3 is not the prefix of k=7")
# cold start: an unknown visitor gets popular items, never an error
c = srv.get_json("/recommendations?visitor=999999999999")
if c["answer"] != "offline" or len(c["items"]) != 10 or \
        any(x["source"] != "popular" for x in c["items"]):
    fail("cold start %r" % c)
# blend override
b = srv.get_json("/recommendations?visitor=%d&blend=als" % v)
if b["blend"] != "als" or any(x["source"] != "als" for x in b["items"]):
    fail("blend=als %r" % b)
s = srv.get_json("/similar?item=%d&k=5" % item)
if len(s["items"]) != 5 or any(x["item"] == item for x in s["items"]):
    fail("similar %r" % s)
# the same list rs-recommend --similar gives (same model, same table)
want = subprocess.run(
    ["rs-recommend", "-m", "a.rsa", "--similar", "-k", "5", "--items",
     "items.rse", "-q", "-"], input="%d\n" % item, text=True, check=True,
    stdout=subprocess.PIPE).stdout.splitlines()[1:]
got = ["%d,%d,%d,%.9g" % (item, x["item"], x["rank"], x["score"])
       for x in s["items"]]
if [w.split(",")[:3] for w in want] != [g.split(",")[:3] for g in got]:
    fail("similar differs from rs-recommend --similar: %r vs %r"
         % (got, want))
# events: a new visitor's view is seen by the next request
nv = 888888888
out = srv.post_events({"visitorid": nv, "itemid": item, "event": "view"})
if out != {"accepted": 1}:
    fail("post %r" % out)
r = srv.get_json("/recommendations?visitor=%d" % nv)
if r["events"] != 1 or r["answer"] != "blended":
    fail("posted view not seen: %r" % r)
# a bought item is never recommended again
out = srv.post_events([{"visitorid": nv, "itemid": item,
                        "event": "transaction", "transactionid": "77"}])
r = srv.get_json("/recommendations?visitor=%d&k=50" % nv)
if any(x["item"] == item for x in r["items"]):
    fail("bought item %d recommended: %r" % (item, r))
# {"events": [...]} and ids as strings
out = srv.post_events({"events": [{"visitorid": str(nv), "itemid": "5",
                                   "event": "addtocart",
                                   "timestamp": 1}]})
if out != {"accepted": 1}:
    fail("events wrapper %r" % out)
st, hd, body = srv.request("HEAD", "/healthz")
if st != 200:
    fail("HEAD /healthz %d" % st)

# ---- bad input: (method, path, body, headers, status) ----
J = {"Content-Type": "application/json"}
cases = [
    ("GET", "/recommendations", None, {}, 400),
    ("GET", "/recommendations?visitor=", None, {}, 400),
    ("GET", "/recommendations?visitor=abc", None, {}, 400),
    ("GET", "/recommendations?visitor=-5", None, {}, 400),
    ("GET", "/recommendations?visitor=1.5", None, {}, 400),
    ("GET", "/recommendations?visitor=99999999999999999999999", None, {},
     400),
    ("GET", "/recommendations?visitor=1&visitor=2", None, {}, 400),
    ("GET", "/recommendations?vistor=1", None, {}, 400),
    ("GET", "/recommendations?visitor=1&k=0", None, {}, 400),
    ("GET", "/recommendations?visitor=1&k=101", None, {}, 400),
    ("GET", "/recommendations?visitor=1&k=ten", None, {}, 400),
    ("GET", "/recommendations?visitor=1&at=yesterday", None, {}, 400),
    ("GET", "/recommendations?visitor=1&blend=bogus:1", None, {}, 400),
    ("GET", "/recommendations?visitor=1&blend=online:1,ghost", None, {},
     400),
    ("GET", "/recommendations?visitor=1&a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9",
     None, {}, 400),
    ("GET", "/similar", None, {}, 400),
    ("GET", "/similar?item=x", None, {}, 400),
    ("GET", "/similar?item=1&k=1000000", None, {}, 400),
    ("GET", "/nope", None, {}, 404),
    ("GET", "/", None, {}, 404),
    ("GET", "/recommendations/extra?visitor=1", None, {}, 404),
    ("DELETE", "/recommendations?visitor=1", None, {}, 405),
    ("POST", "/recommendations?visitor=1", b"{}", J, 405),
    ("PUT", "/events", b"{}", J, 405),
    ("GET", "/events", None, {}, 405),
    ("POST", "/events", b'{"visitorid":1,"itemid":2,"event":"view"}',
     {"Content-Type": "text/plain"}, 415),
    ("POST", "/events", b'{"visitorid":1,"itemid":2,"event":"view"}', {},
     415),
    ("POST", "/events", b"{bad", J, 400),
    ("POST", "/events", b"", J, 400),
    ("POST", "/events", b"[]", J, 400),
    ("POST", "/events", b"5", J, 400),
    ("POST", "/events", b'{"events":5}', J, 400),
    ("POST", "/events", b'{"visitorid":1,"itemid":2,"event":"buy"}', J, 400),
    ("POST", "/events", b'{"visitorid":1,"itemid":2}', J, 400),
    ("POST", "/events", b'{"visitorid":-1,"itemid":2,"event":"view"}', J,
     400),
    ("POST", "/events", b'{"visitorid":1.5,"itemid":2,"event":"view"}', J,
     400),
    ("POST", "/events", b'{"visitorid":true,"itemid":2,"event":"view"}', J,
     400),
    ("POST", "/events", b'{"visitorid":1,"itemid":"2x","event":"view"}', J,
     400),
    ("POST", "/events",
     b'{"visitorid":1,"itemid":2,"event":"view","timestamp":"now"}', J, 400),
    ("POST", "/events",
     b'{"visitorid":1,"itemid":2,"event":"view","colour":"red"}', J, 400),
    ("POST", "/events", b'{"visitorid":1,"visitorid":2,"itemid":2,'
     b'"event":"view"}', J, 400),
    ("POST", "/events", b'[{"visitorid":1,"itemid":2,"event":"view"},'
     b'{"visitorid":1,"itemid":2,"event":"bad"}]', J, 400),
    ("POST", "/events", b"[" + b'{"visitorid":1,"itemid":2,"event":"view"},'
     * 200 + b"{}]", J, 413),
]
before = srv.get_json("/recommendations?visitor=1")["events"]
for method, path, body, headers, status in cases:
    st, hd, b = srv.request(method, path, body, headers)
    if st != status:
        fail("%s %s %r: status %d, want %d: %r" % (method, path, body, st,
                                                    status, b))
    try:
        e = json.loads(b)
    except ValueError:
        fail("%s %s: error body is not JSON: %r" % (method, path, b))
    if e.get("status") != status or not e.get("error"):
        fail("%s %s: error body %r" % (method, path, e))
    if status == 405 and "Allow" not in hd:
        fail("%s %s: 405 without Allow" % (method, path))
# the rejected requests took no event: the visitor has none
r = srv.get_json("/recommendations?visitor=1")
if r["events"] != before:
    fail("a refused request's events were taken: %r" % r)

# ---- raw bytes the client library would not send ----
# (bytes, acceptable starts of the answer); garbage may just be closed
raw = [
    (b"BLAH\r\n\r\n", (b"", b"HTTP/1.1 400")),
    (b"BLAH /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b"HTTP/1.1 405"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 +
     b"\r\n\r\n", b"HTTP/1.1 431"),
    (b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
     b"\r\nTransfer-Encoding: chunked\r\n\r\n2000\r\n" + b" " * 8192 +
     b"\r\n0\r\n\r\n", b"HTTP/1.1 413"),
    (b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
     b"\r\nContent-Length: 999999999999\r\n\r\n", b"HTTP/1.1 413"),
    (b"GET /recommendations?visitor=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
     b"HTTP/1.1 400"),
    (b"GET /healthz HTTP/1.0\r\n\r\n", b"HTTP/1.1 200"),
]
for data, want_start in raw:
    got = srv.raw(data)
    if not isinstance(want_start, tuple):
        want_start = (want_start,)
    if not any(got.startswith(w) if w else got == w for w in want_start):
        fail("raw %r...: got %r" % (data[:60], got[:120]))
# unharmed
srv.get_json("/healthz")

# ---- metrics ----
st, hd, m = srv.request("GET", "/metrics")
if st != 200 or not hd.get("Content-Type", "").startswith("text/plain"):
    fail("/metrics %d %r" % (st, hd))
p = subprocess.run(["promtool", "check", "metrics"], input=m,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
if p.returncode != 0:
    fail("promtool: %s" % p.stdout.decode())
text = m.decode()
for want in ['rs_serve_requests_total{endpoint="events",code="415"} 2',
             'rs_serve_requests_total{endpoint="recommendations",code="400"}',
             'rs_serve_answers_total{how="offline"}',
             'rs_serve_answers_total{how="blended"}',
             'rs_serve_events_total{result="accepted"} 3',
             'rs_serve_release_info{release="files"',
             'rs_serve_request_duration_seconds_bucket{endpoint="similar",'
             'le="+Inf"} 4']:
    if want not in text:
        fail("metrics lack %r:\n%s" % (want, text))
# one connection serves many requests (keep-alive), POST /events included:
# a front end must not pay a TCP handshake per page view
import http.client  # noqa: E402
c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
c.connect()
sock = c.sock
for path in ["/recommendations?visitor=%d&k=3" % nv, "/similar?item=5",
             "/events", "/healthz", "/metrics"]:
    if path == "/events":
        c.request("POST", path, body=b'{"visitorid":1,"itemid":2,'
                  b'"event":"view"}',
                  headers={"Content-Type": "application/json"})
    else:
        c.request("GET", path)
    r = c.getresponse()
    r.read()
    if r.status != 200 or (r.getheader("Connection") or "").lower() == \
            "close" or c.sock is not sock:
        fail("%s on a kept-alive connection: %d, Connection: %r" % (
            path, r.status, r.getheader("Connection")))
c.close()
srv.stop()

# ---- /similar from the neighbours table: the scan's rows exactly ----
subprocess.run(["rs-recommend", "-q", "--similar", "-a", "-f", "rsk", "-k",
                "8", "-m", "a.rsa", "-o", "sim.rsk"], check=True)
args = ["-q", "-m", "a.rsa", "-p", "p.rsa", "-i", "items.rse"]
scan = Server(args)
table = Server(args + ["--similar-table", "sim.rsk"])
its = sorted({r[3] for r in rows})[::max(1, len(rows) // 200)][:60] + \
    [999999999]
for it in its:
    for k in (1, 5, 8, 12):
        a = scan.get_json("/similar?item=%d&k=%d" % (it, k))["items"]
        b = table.get_json("/similar?item=%d&k=%d" % (it, k))["items"]
        if a != b:
            fail("/similar?item=%d&k=%d: table %r, scan %r" % (it, k, b, a))


def nices(srv):
    """The nice value of each thread of a server: {tid: nice} (Linux)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % srv.p.pid):
        with open("/proc/%d/task/%s/stat" % (srv.p.pid, tid)) as f:
            out[int(tid)] = int(f.read().rsplit(")", 1)[1].split()[16])
    return out


# --reload-nice: the main thread (reloads) runs lower, requests do not
if sys.platform.startswith("linux"):
    base = os.getpriority(os.PRIO_PROCESS, 0)
    for srv, inc in ((scan, 10), (Server(args + ["--reload-nice", "3"]), 3),
                     (Server(args + ["--reload-nice", "0"]), 0)):
        n = nices(srv)
        if n[srv.p.pid] != base + inc or \
                sum(1 for t, v in n.items() if v == base) < 2:
            fail("--reload-nice %d: thread nice values %r" % (inc, n))
        if srv is not scan:
            srv.stop()
scan.stop()
table.stop()
# a table of another model is refused at start
subprocess.run(["rs-als-train", "-q", "-f", "4", "-i", "2", "-o", "b.rsa",
                "tr.rsm"], check=True)
p = subprocess.run(["rs-serve", "-l", "127.0.0.1:0", "-m", "b.rsa",
                    "--similar-table", "sim.rsk"], stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, timeout=120)
if p.returncode != 1 or b"another ALS model" not in p.stderr:
    fail("a table of another model: exit %d, %r" % (p.returncode, p.stderr))
print("%d bad requests, %d raw ones: all answered as expected"
      % (len(cases), len(raw)))
