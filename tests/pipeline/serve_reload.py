import json
import os
import signal
import sys
import threading
import time
import http.client

sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "helper"))
from rsserve import Server, build, events, fail, release_dir  # noqa

build()
rows = events("ev.rse")
visitors = [r[1] for r in rows[-200:]]
items = [r[3] for r in rows[-200:]]
os.makedirs("out/releases")
names = ["r1", "r2", "r3"]
blends = ["recent:5,itemknn:5,popular:0", "recent:4,als:6,popular:0",
          "online:3,als:7,popular:0"]
for n, b in zip(names, blends):
    release_dir("out/releases/" + n, n, b)


def point(name):
    os.symlink("releases/" + name, "out/.current.tmp")
    os.rename("out/.current.tmp", "out/current")


point("r1")
srv = Server(["-q", "-H", "ev.rse", "--models", "out", "--poll", "0.05",
              "-t", "2"])
stop = threading.Event()
errors = []
counts = {"requests": 0}
seen = set()


def client(kind):
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    i = 0
    while not stop.is_set():
        i += 1
        if kind == "recs":
            path = "/recommendations?visitor=%d&k=10" % visitors[i % 200]
        else:
            path = "/similar?item=%d&k=5" % items[i % 200]
        try:
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                errors.append("%s: %d %r" % (path, r.status, body))
                continue
            j = json.loads(body)
            if j["release"] not in names or not j["items"] or \
                    [x["rank"] for x in j["items"]] != \
                    list(range(1, len(j["items"]) + 1)):
                errors.append("%s: malformed %r" % (path, j))
            seen.add(j["release"])
            counts["requests"] += 1
        except Exception as e:  # a dropped connection is a failure too
            errors.append("%s: %r" % (path, e))
            c.close()
            c = http.client.HTTPConnection("127.0.0.1", srv.port,
                                           timeout=30)


def served():
    return srv.get_json("/healthz")["release"]


def wait_for(name):
    end = time.time() + 60
    while time.time() < end:
        if served() == name:
            return
        time.sleep(0.02)
    fail("release %s not served after 60 s: %s" % (name, srv.log()))


threads = [threading.Thread(target=client, args=(k,))
           for k in ("recs", "recs", "similar")]
for t in threads:
    t.start()
time.sleep(0.3)
for name in ["r2", "r3", "r1", "r2", "r3"]:
    point(name)
    wait_for(name)
    time.sleep(0.2)
srv.signal(signal.SIGHUP)            # the same release, loaded again
time.sleep(0.5)
# a burst: most arrive while the main thread is busy reloading (a
# signal then reaches another thread, e.g. OpenBLAS's, which must not
# take SIGHUP's default action and end the process)
for _ in range(20):
    srv.signal(signal.SIGHUP)
    time.sleep(0.01)
time.sleep(0.5)
if srv.p.poll() is not None:
    fail("rs-serve ended during a burst of SIGHUP: %s" % srv.log())
wait_for("r3")

# a damaged release: truncated ALS model
release_dir("out/releases/bad", "bad")
os.unlink("out/releases/bad/als.rsa")
with open("a.rsa", "rb") as f:
    data = f.read()
with open("out/releases/bad/als.rsa", "wb") as f:
    f.write(data[:len(data) // 2])
point("bad")
time.sleep(0.5)
# an incomplete one (no COMPLETE marker)
release_dir("out/releases/half", "half", complete=False)
point("half")
time.sleep(0.5)
if served() != "r3":
    fail("a refused release replaced r3")
stop.set()
for t in threads:
    t.join(60)
m = srv.request("GET", "/metrics")[2].decode()
srv.stop()
if errors:
    fail("%d failed responses, first: %s" % (len(errors), errors[0]))
if counts["requests"] < 100:
    fail("only %d requests during the reloads" % counts["requests"])
if not {"r1", "r2", "r3"} <= seen:
    fail("releases seen by clients: %r" % seen)


def metric(name):
    for line in m.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    fail("no %s in /metrics" % name)


if metric("rs_serve_reloads_total") < 6:
    fail("reloads_total %r" % metric("rs_serve_reloads_total"))
if metric("rs_serve_reload_failures_total") != 2:
    fail("reload_failures_total %r, want 2 (bad, half)"
         % metric("rs_serve_reload_failures_total"))
log = srv.log()
if "refused" not in log or "bad/als.rsa" not in log:
    fail("the refusal is not logged naming the file: %s" % log)
print("%d requests during 6 reloads and 2 refusals, none failed"
      % counts["requests"])
