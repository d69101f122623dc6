#!/usr/bin/env python3
"""synth_shape.py - measure the behavioural shape of an events.csv.

Usage: synth_shape.py events.csv [--check]

Prints the shape facts (single-event visitors, repeat rows, add-to-cart
context, transactions after carts, the replay hit rates of "recently
viewed" and "popular so far"), each beside its value on the real
Retailrocket events sample (the table `real` below), plus a train/test
check: an item co-occurrence model learnt before the last 14 days against
the popular items of that window, on the later add-to-cart events of
returning visitors.  With --check it exits 1 when a fact leaves its (loose) band.
Python standard library only.
"""
import csv
import sys
from collections import Counter, defaultdict


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0


def main():
    path = sys.argv[1]
    check = "--check" in sys.argv[2:]
    rows = []
    with open(path, newline="") as f:
        r = csv.reader(f)
        hdr = next(r)
        assert hdr == ["timestamp", "visitorid", "event", "itemid",
                       "transactionid"], hdr
        for ts, v, e, it, tx in r:
            rows.append((int(ts), int(v), e, int(it), tx))
    nrows = len(rows)
    order = sorted(range(nrows), key=lambda i: (rows[i][0], i))
    ev = [rows[i] for i in order]

    per_vis = Counter(r[1] for r in rows)
    counts = list(per_vis.values())
    f = {}
    f["single_event_visitors"] = sum(1 for c in counts if c == 1) / len(counts)
    f["events_per_visitor_p90"] = pct(counts, 0.90)
    f["events_per_visitor_p99"] = pct(counts, 0.99)
    sample = set(sorted(per_vis)[:5000])
    vis_of = defaultdict(set)
    for r in rows:
        if r[1] in sample:
            vis_of[r[3]].add(r[1])
    f["items_one_visitor_5k"] = (sum(1 for s in vis_of.values() if len(s) == 1)
                                 / max(1, len(vis_of)))
    trip = Counter((r[1], r[3], r[2]) for r in rows)
    f["repeated_rows"] = sum(c - 1 for c in trip.values()) / nrows

    first, last = {}, {}
    for ts, v, _, _, _ in ev:
        first.setdefault(v, ts)
        last[v] = ts
    spans = [(last[v] - first[v]) / 60000 for v in per_vis if per_vis[v] > 1]
    f["multi_span_median_min"] = pct(spans, 0.5)
    f["multi_span_p90_days"] = pct(spans, 0.9) / 1440

    carts = Counter(r[1] for r in rows if r[2] == "addtocart")
    f["cart_visitors_one_cart"] = (sum(1 for c in carts.values() if c == 1)
                                   / max(1, len(carts)))

    seen_any = {}          # visitor -> last event time
    viewed = defaultdict(list)   # visitor -> distinct items, most recent last
    carted = defaultdict(set)
    pop = Counter()
    top = {}               # item -> count, the 10 most popular so far
    n_cart = n_prev = n_prev24 = n_viewed = n_recent = n_pop = 0
    n_tx = n_tx_cart = 0
    for ts, v, e, it, tx in ev:
        if e == "addtocart":
            n_cart += 1
            if v in seen_any:
                n_prev += 1
                n_prev24 += ts - seen_any[v] <= 86400000
            if it in viewed[v]:
                n_viewed += 1
            if it in viewed[v][-10:]:
                n_recent += 1
            if it in top:
                n_pop += 1
            carted[v].add(it)
        elif e == "transaction":
            n_tx += 1
            n_tx_cart += it in carted[v]
        else:
            lst = viewed[v]
            if it in lst:
                lst.remove(it)
            lst.append(it)
        seen_any[v] = ts
        pop[it] += 1
        if it in top:
            top[it] = pop[it]
        elif len(top) < 10:
            top[it] = pop[it]
        else:
            m = min(top, key=top.get)
            if pop[it] > top[m]:
                del top[m]
                top[it] = pop[it]
    f["cart_after_event"] = n_prev / max(1, n_cart)
    f["cart_after_event_24h"] = n_prev24 / max(1, n_cart)
    f["cart_on_viewed"] = n_viewed / max(1, n_cart)
    f["replay_recent10_hit"] = n_recent / max(1, n_cart)
    f["replay_popular10_hit"] = n_pop / max(1, n_cart)
    f["tx_after_cart"] = n_tx_cart / max(1, n_tx)

    # Train (all but the last 14 days) / test (their add-to-cart events).
    cut = ev[-1][0] - 14 * 86400000
    hist = defaultdict(set)
    tpop = Counter()
    for ts, v, e, it, tx in ev:
        if ts < cut:
            hist[v].add(it)
            tpop[it] += 1
    co = defaultdict(Counter)
    for items in hist.values():
        if 1 < len(items) <= 40:
            for a in items:
                for b in items:
                    if a != b:
                        co[a][b] += 1
    poptop = set(i for i, _ in tpop.most_common(10))
    n_test = n_knn = n_tpop = n_disc = n_disc_knn = n_disc_pop = 0
    for ts, v, e, it, tx in ev:
        if ts < cut or e != "addtocart" or v not in hist:
            continue
        score = Counter()
        for a in hist[v]:
            score.update(co[a])
            score[a] += 1000   # the visitor's own items first
        recs = set(i for i, _ in score.most_common(10))
        n_test += 1
        n_knn += it in recs
        n_tpop += it in poptop
        if it not in hist[v]:
            # Discovery: an item the visitor never touched in train.
            for a in hist[v]:
                del score[a]
            n_disc += 1
            n_disc_knn += it in set(i for i, _ in score.most_common(10))
            n_disc_pop += it in poptop
    f["test_returning_carts"] = n_test
    f["test_personal10_hit"] = n_knn / max(1, n_test)
    f["test_popular10_hit"] = n_tpop / max(1, n_test)
    f["test_discovery_carts"] = n_disc
    f["test_discovery_cooc10_hit"] = n_disc_knn / max(1, n_disc)
    f["test_discovery_popular10_hit"] = n_disc_pop / max(1, n_disc)

    real = {"single_event_visitors": 0.699, "events_per_visitor_p90": 3,
            "events_per_visitor_p99": 11, "items_one_visitor_5k": 0.91,
            "repeated_rows": 0.189,
            "multi_span_median_min": 16, "multi_span_p90_days": 32,
            "cart_visitors_one_cart": 0.71, "cart_after_event": 0.928,
            "cart_after_event_24h": 0.916, "cart_on_viewed": 0.688,
            "replay_recent10_hit": 0.66, "replay_popular10_hit": 0.06,
            "tx_after_cart": 0.89}
    bands = {"single_event_visitors": (0.60, 0.80),
             "events_per_visitor_p90": (2, 5),
             "events_per_visitor_p99": (7, 20),
             "repeated_rows": (0.08, 0.30),
             "cart_visitors_one_cart": (0.55, 0.85),
             "cart_after_event": (0.80, 0.98),
             "cart_on_viewed": (0.55, 0.85),
             "replay_recent10_hit": (0.50, 0.80),
             "replay_popular10_hit": (0.0, 0.15),
             "tx_after_cart": (0.75, 0.97)}
    bad = 0
    for k, x in f.items():
        band = bands.get(k)
        ok = band is None or band[0] <= x <= band[1]
        bad += not ok
        print("%-24s %10.3f   real %-8s %s" % (k, x, real.get(k, "-"),
              "" if ok else "OUT OF BAND %s" % (band,)))
    if f["replay_recent10_hit"] < 4 * f["replay_popular10_hit"]:
        print("recently viewed does not beat popular clearly")
        bad += 1
    if n_test < 20 or f["test_personal10_hit"] < 2 * f["test_popular10_hit"]:
        print("personal model does not beat popular clearly in the test "
              "window")
        bad += 1
    return 1 if check and bad else 0


if __name__ == "__main__":
    sys.exit(main())
