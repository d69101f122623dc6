import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "helper"))
from rsserve import Server, build, events, fail, sh, write_events  # noqa

K = 10
BLENDS = ["recent:4,itemknn:3,als:3,popular:0", "online:5,als:5,popular:0",
          "recent:4,category:3,itemknn:3,popular:0"]

cut = build()
rows = events("ev.rse")
write_events([r for r in rows if r[0] < cut], "hist.csv", "hist.rse")
# in time order (stable: events of one millisecond keep input order,
# as the history index of the replay does)
window = sorted((r for r in rows if r[0] >= cut), key=lambda r: r[0])
reqs = []
for line in sh("rs-cat", "-H", "r.rsq").splitlines():
    rid, v, t, item = line.split(",")
    reqs.append((int(rid), int(v), int(t)))
if len(reqs) < 100:
    fail("only %d requests" % len(reqs))


def post_before(srv, e, t):
    """POSTs the window's events from index e up to time t (excluded), in
    time order; returns the index of the first event not posted."""
    batch = []
    while e < len(window) and window[e][0] < t:
        ts, ev_v, name, item, txn = window[e]
        ev = {"timestamp": ts, "visitorid": ev_v, "itemid": item,
              "event": name}
        if txn:
            ev["transactionid"] = int(txn)
        batch.append(ev)
        e += 1
    for i in range(0, len(batch), 2000):
        srv.post_events(batch[i:i + 2000])
    return e


for blend in BLENDS:
    sh("rs-replay", "-q", "-k", str(K), "-r", "r.rsq", "-H", "ev.rse",
       "-m", "a.rsa", "-p", "p.rsa", "-n", "k.rsk", "-i", "items.rse",
       "-A", "props.rse", "--tree", "tree.rse", "-b", blend, "-a",
       "want.csv", out="table.txt")
    want = {}
    with open("want.csv") as f:
        next(f)
        for line in f:
            rid, v, item, rank, score, src = line.strip().split(",")
            want.setdefault(int(rid), []).append((item, rank, score, src))

    srv = Server(["-q", "-H", "hist.rse", "-m", "a.rsa", "-p", "p.rsa",
                  "-n", "k.rsk", "-i", "items.rse", "-A", "props.rse",
                  "--tree", "tree.rse", "-b", blend, "-k", str(K), "-t", "2"])
    e = 0
    compared = rowsn = 0
    bysrc = {}
    for rid, v, t in sorted(reqs, key=lambda q: (q[2], q[0])):
        e = post_before(srv, e, t)
        got = srv.get_json("/recommendations?visitor=%d&k=%d&at=%d"
                           % (v, K, t))
        g = [(str(x["item"]), str(x["rank"]), "%.9g" % x["score"],
              x["source"]) for x in got["items"]]
        if g != want.get(rid, []):
            fail("%s: request %d (visitor %d at %d): live %r, replay %r"
                 % (blend, rid, v, t, g, want.get(rid, [])))
        compared += 1
        rowsn += len(g)
        for x in g:
            bysrc[x[3]] = bysrc.get(x[3], 0) + 1
    srv.stop()
    if rowsn < compared * 5:
        fail("%s: only %d rows for %d requests" % (blend, rowsn, compared))
    # every source of the blend but the back-fill must have answered
    for part in blend.split(","):
        src, q = part.split(":")
        if q != "0" and bysrc.get(src, 0) == 0:
            fail("%s: no row from %s (%r)" % (blend, src, bysrc))
    print("%s: %d requests, %d rows equal (%s)" % (blend, compared, rowsn,
          ", ".join("%s %d" % kv for kv in sorted(bysrc.items()))))

# --knn-every: the server trains item-kNN itself, for the period of the
# newest event it holds; rs-replay --knn-every trains it for the period
# of each request.  The two agree for a request in the period of the
# newest event posted (the live case, asked at now), once the server has
# swapped in that period's model (rs_serve_knn_until_seconds); the other
# requests (no event yet in their period) are not compared.
P = 6 * 3600 * 1000
blend = "recent:3,itemknn:3,category:2,popular:0"
sh("rs-replay", "-q", "-k", str(K), "-r", "r.rsq", "-H", "ev.rse",
   "-p", "p.rsa", "-i", "items.rse", "-A", "props.rse", "--knn-every", "6h",
   "-b", blend, "-a", "want.csv", out="table.txt")
want = {}
with open("want.csv") as f:
    next(f)
    for line in f:
        rid, v, item, rank, score, src = line.strip().split(",")
        want.setdefault(int(rid), []).append((item, rank, score, src))
srv = Server(["-q", "-H", "hist.rse", "-p", "p.rsa", "-i", "items.rse",
              "-A", "props.rse", "--knn-every", "6h", "-b", blend,
              "-k", str(K), "-t", "2"])


def knn_until():
    for line in srv.request("GET", "/metrics")[2].decode().splitlines():
        if line.startswith("rs_serve_knn_until_seconds "):
            return int(round(float(line.split()[1]) * 1000))
    return None


newest = max(r[0] for r in rows if r[0] < cut)
e = 0
compared = rowsn = knnrows = catrows = 0
for rid, v, t in sorted(reqs, key=lambda q: (q[2], q[0])):
    e0, e = e, post_before(srv, e, t)
    if e > e0:
        newest = max(newest, window[e - 1][0])
    if newest // P != t // P:
        continue
    deadline = time.time() + 60
    while knn_until() != t // P * P:
        if time.time() > deadline:
            fail("--knn-every: the server never served the model of "
                 "period %d (serves %r)" % (t // P * P, knn_until()))
        time.sleep(0.02)
    got = srv.get_json("/recommendations?visitor=%d&k=%d&at=%d" % (v, K, t))
    g = [(str(x["item"]), str(x["rank"]), "%.9g" % x["score"],
          x["source"]) for x in got["items"]]
    if g != want.get(rid, []):
        fail("--knn-every %s: request %d (visitor %d at %d): live %r, "
             "replay %r" % (blend, rid, v, t, g, want.get(rid, [])))
    compared += 1
    rowsn += len(g)
    knnrows += sum(1 for x in g if x[3] == "itemknn")
    catrows += sum(1 for x in g if x[3] == "category")
srv.stop()
if compared < len(reqs) // 3 or knnrows < compared or catrows < compared:
    fail("--knn-every: only %d of %d requests compared, %d itemknn rows, "
         "%d category rows" % (compared, len(reqs), knnrows, catrows))
print("--knn-every 6h %s: %d of %d requests, %d rows (%d itemknn, "
      "%d category) equal" % (blend, compared, len(reqs), rowsn, knnrows,
                              catrows))
