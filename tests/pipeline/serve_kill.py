import glob
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "helper"))
from rsserve import Server, build, fail  # noqa

build()
args = ["-m", "a.rsa", "-p", "p.rsa", "--event-log", "log", "--sync",
        "always", "--rotate-size", "4000"]
srv = Server(args)
acked = []          # events whose POST was answered 200
stop = threading.Event()
BASE = 5000000000


def poster(tid):
    n = 0
    while not stop.is_set():
        batch = []
        for _ in range(1 + n % 3):
            v = BASE + tid * 1000 + n % 50
            batch.append({"visitorid": v, "itemid": 100 + n,
                          "event": "view", "timestamp": 1000 + n})
            n += 1
        try:
            srv.post_events(batch)
        except SystemExit:
            return
        except Exception:
            return      # the server died under us: not acknowledged
        acked.extend(batch)


threads = [threading.Thread(target=poster, args=(t,)) for t in range(2)]
for t in threads:
    t.start()
random.seed(int(os.environ.get("SEED", "7")))
# enough events for a few log files (however slow the machine), then a
# random moment
end = time.time() + 120
while len(acked) < 400 and time.time() < end:
    time.sleep(0.05)
time.sleep(random.random() * 0.5)
srv.kill()
stop.set()
for t in threads:
    t.join(60)
if len(acked) < 50:
    fail("only %d events acknowledged before the kill" % len(acked))


def log_rows():
    rows = []
    for f in sorted(glob.glob("log/events-*.csv")):
        with open(f) as fh:
            lines = fh.read().split("\n")
        if lines[0] != "timestamp,visitorid,event,itemid,transactionid":
            fail("%s: header %r" % (f, lines[0]))
        rows += [tuple(l.split(",")) for l in lines[1:] if l]
    return rows


files = glob.glob("log/events-*.csv")
if len(files) < 2:
    fail("no rotation at --rotate-size 4000: %r" % files)
logged = set(log_rows())
for e in acked:
    row = (str(e["timestamp"]), str(e["visitorid"]), "view",
           str(e["itemid"]), "")
    if row not in logged:
        fail("acknowledged event %r is not in the log" % (row,))

srv = Server(args)
per_visitor = {}
for r in logged:
    per_visitor[int(r[1])] = per_visitor.get(int(r[1]), 0) + 1
for v, n in per_visitor.items():
    got = srv.get_json("/recommendations?visitor=%d" % v)["events"]
    if got != n:
        fail("visitor %d: %d events in the sessions, %d in the log"
             % (v, got, n))
srv.stop()

# a torn last line: the newest file ends in a partial row
newest = sorted(glob.glob("log/events-*.csv"))[-1]
size = os.path.getsize(newest)
with open(newest, "ab") as f:
    f.write(b"1234,%d,vi" % (BASE + 1))
srv = Server(args)
log = srv.log()
if "torn last line" not in log or os.path.basename(newest) not in log:
    fail("no warning naming the torn file: %s" % log)
if os.path.getsize(newest) != size:
    fail("the torn line was not cut off")
got = srv.get_json("/recommendations?visitor=%d" % (BASE + 1))["events"]
if got != per_visitor.get(BASE + 1, 0):
    fail("the torn line was read: %d events" % got)
# appends go on after the cut, on lines of their own (in the same file,
# or in a new one when the cut file is at the rotation size)
srv.post_events({"visitorid": BASE + 1, "itemid": 1, "event": "view"})
srv.stop()
with open(newest) as f:
    if not f.read().endswith("\n"):
        fail("%s does not end in a newline after the append" % newest)
with open(sorted(glob.glob("log/events-*.csv"))[-1]) as f:
    tail = f.read().split("\n")[-2]
if not tail.endswith(",%d,view,1," % (BASE + 1)):
    fail("the next append is not a line of its own: %r" % tail)
print("%d acknowledged events survived kill -9; torn line cut"
      % len(acked))
