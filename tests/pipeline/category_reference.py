#!/usr/bin/env python3
# category_reference.py - an independent reference for the category
# source (rs-replay(1), engine.h), straight from its definition: for
# each request (v, t), the context is v's last 5 distinct visible items
# of positive weight, newest first; the groups are their categories at t
# (each once), then with a tree the parents of those (each once); an
# item is in group c at t when its category at t is c or a child of c;
# the list takes group after group, each group's items of positive
# causal count (the event weights of every visitor's events before t)
# best first, ties to the lower id; then group after group again, each
# group's untouched catalogue items (every item with a category, count
# 0) by lower id; never an item of v's visible events, never one listed
# before, never one the item table holds as unavailable, at most 2 kmax.
# Python standard library only.
#
#   python3 category_reference.py EVENTS.csv REQUESTS.csv ANSWERS.csv K \
#       (props CATS.csv | table ITEMS.csv) [TREE.csv]
# CATS.csv: timestamp,itemid,property,value rows (categoryid only);
# ITEMS.csv: rs-cat of an item table; ANSWERS.csv: rs-replay -a of the
# blend "category" at K (= kmax).
import csv
import sys

W = {"view": 1.0, "addtocart": 5.0, "transaction": 3.0}


def main():
    evf, reqf, ansf, k, mode, catf = sys.argv[1:7]
    treef = sys.argv[7] if len(sys.argv) > 7 else None
    k = int(k)
    L = 2 * k
    ev = []
    with open(evf) as f:
        for r in csv.DictReader(f):
            ev.append((int(r["timestamp"]), int(r["visitorid"]),
                       r["event"], int(r["itemid"])))
    snaps = {}      # item -> [(ts, cat)]
    blocked = set()
    if mode == "props":
        with open(catf) as f:
            for r in csv.DictReader(f):
                if r["property"] == "categoryid":
                    snaps.setdefault(int(r["itemid"]), []).append(
                        (int(r["timestamp"]), int(r["value"])))
    else:
        with open(catf) as f:
            for r in csv.DictReader(f):
                if r["categoryid"]:
                    snaps[int(r["itemid"])] = [(-2**63,
                                                int(r["categoryid"]))]
                if r["available"] != "1":
                    blocked.add(int(r["itemid"]))
    for s in snaps.values():
        s.sort()
    parent = {}
    if treef:
        with open(treef) as f:
            for r in csv.DictReader(f):
                if r["parentid"]:
                    parent[int(r["categoryid"])] = int(r["parentid"])

    def cat_at(i, t):
        c = None
        last = None
        for ts, cat in snaps.get(i, []):
            if ts >= t:
                break
            if ts != last:          # a same-time group: smallest id
                c = cat
            last = ts
        return c

    members = {}    # group -> items ever in it or in a child of it
    for i, s in snaps.items():
        for _, c in s:
            members.setdefault(c, set()).add(i)
            if c in parent:
                members.setdefault(parent[c], set()).add(i)

    byvis = {}
    for e in ev:
        byvis.setdefault(e[1], []).append(e)
    for v in byvis:
        byvis[v].sort(key=lambda e: e[0])   # stable: input order
    reqs = []
    with open(reqf) as f:
        for line in f:
            rid, v, t, item = line.strip().split(",")
            reqs.append((int(rid), int(v), int(t)))
    evs = sorted(ev, key=lambda e: e[0])
    want = {}
    cnt = {}
    j = 0
    for rid, v, t in sorted(reqs, key=lambda q: (q[2], q[0])):
        while j < len(evs) and evs[j][0] < t:
            cnt[evs[j][3]] = cnt.get(evs[j][3], 0) + W[evs[j][2]]
            j += 1
        vis = [e for e in byvis.get(v, []) if e[0] < t]
        touched = set(e[3] for e in vis)
        ctx = []
        for e in reversed(vis):
            if e[3] not in ctx:
                ctx.append(e[3])
            if len(ctx) == 5:
                break
        groups = []
        for i in ctx:
            c = cat_at(i, t)
            if c is not None and c not in groups:
                groups.append(c)
        for c in list(groups):
            p = parent.get(c)
            if p is not None and p not in groups:
                groups.append(p)
        out = []
        for untouched in (False, True):
            for c in groups:
                cand = []
                for i in members.get(c, ()):
                    if i in touched or i in out or i in blocked:
                        continue
                    if (cnt.get(i, 0) == 0) != untouched:
                        continue
                    d = cat_at(i, t)
                    if d is None or (d != c and parent.get(d) != c):
                        continue
                    cand.append((-cnt.get(i, 0), i))
                cand.sort()
                out.extend(i for _, i in cand[:L - len(out)])
                if len(out) >= L:
                    break
        want[rid] = [(i, "%.9g" % cnt.get(i, 0)) for i in out[:k]]
    got = {}
    with open(ansf) as f:
        next(f)
        for line in f:
            rid, v, item, rank, score, src = line.strip().split(",")
            if src != "category":
                print("FAIL: row of source %s" % src)
                sys.exit(1)
            got.setdefault(int(rid), []).append(
                (int(item), "%.9g" % float(score)))
    bad = 0
    rows = 0
    for rid, _, _ in reqs:
        rows += len(want[rid])
        if got.get(rid, []) != want[rid]:
            bad += 1
            if bad <= 3:
                print("request %d: rs-replay %r, reference %r"
                      % (rid, got.get(rid, [])[:5], want[rid][:5]))
    if bad:
        print("FAIL: %d of %d requests differ" % (bad, len(reqs)))
        sys.exit(1)
    if rows < len(reqs):
        print("FAIL: only %d rows for %d requests" % (rows, len(reqs)))
        sys.exit(1)
    print("%d requests, %d rows equal" % (len(reqs), rows))


main()
