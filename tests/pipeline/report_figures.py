"""Reads the inputs of report_figures.sh and the page rs-report made of
them, and checks that each figure is there with the right series, drawn
from the right numbers: tooltips of points and bars carry the values, the
lines of the per-day panels are checked by their coordinates."""

import csv
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
bad = []


def fail(msg):
    bad.append(msg)
    print("FAIL: " + msg)


page = ET.parse("report.html").getroot()
figs = {f.get("id"): f.find(SVG + "svg") for f in page.iter("figure")}


def series(fig):
    """{series name: group element} of a figure."""
    svg = figs.get(fig)
    if svg is None:
        fail("no figure %s" % fig)
        return {}
    return {g.find(SVG + "title").text: g for g in svg.iter(SVG + "g")
            if g.get("class") == "series"}


def tips(g, tag):
    """The tooltips of a series' points (circle) or bars (rect)."""
    return [e.find(SVG + "title").text for e in g.iter(SVG + tag)]


def num(s):
    return float(s.replace(",", ""))


# ---- the data: rs-load --stats --format tsv ----
eda = [line.rstrip("\n").split("\t") for line in open("eda.tsv")][1:]
summary = {k: v for sec, k, _, v in eda if sec == "summary"}
types = ["view", "addtocart", "transaction"]

s = series("events-per-day")
if sorted(s) != sorted(types):
    fail("events-per-day series %r" % sorted(s))
days = {}
for sec, k, ser, v in eda:
    if sec == "day":
        days.setdefault(k, {})[ser] = int(v)
ndays = int(summary["days_in_range"])
for t in types:
    if t not in s:
        continue
    pts = s[t].find(SVG + "polyline").get("points").split()
    if len(pts) != ndays:
        fail("events-per-day %s: %d points for %d days" % (t, len(pts), ndays))
    # The days with events, in order, must lie on one line y = a + b v
    # with the other days (no events) at v = 0.
    ys = [float(p.split(",")[1]) for p in pts]
    vals = [days[d][t] for d in sorted(days)]
    if len(vals) == ndays:
        lo, hi = min(range(ndays), key=vals.__getitem__), \
            max(range(ndays), key=vals.__getitem__)
        if vals[hi] > vals[lo]:
            b = (ys[hi] - ys[lo]) / (vals[hi] - vals[lo])
            a = ys[lo] - b * vals[lo]
            off = max(abs(a + b * v - y) for v, y in zip(vals, ys))
            if off > 0.11 or b >= 0:
                fail("events-per-day %s: points off the values by %g px"
                     % (t, off))

s = series("events-per-hour")
tot = {t: sum(int(v) for sec, _, ser, v in eda
              if sec == "hour" and ser == t) for t in types}
for t in types:
    got = tips(s.get(t, ET.Element("g")), "circle")
    want = ["%s %s:00: %.2f %%" % (t, k, 100.0 * int(v) / tot[t] if tot[t]
                                   else 0)
            for sec, k, ser, v in eda if sec == "hour" and ser == t]
    if got != want:
        fail("events-per-hour %s: %r... vs %r..." % (t, got[:2], want[:2]))

s = series("events-per-visitor-item")
for ser, sec in (("visitors", "visitor_events"), ("items", "item_events")):
    got = tips(s.get(ser, ET.Element("g")), "circle")
    want = ["%s with %s events: %s" % (ser, k, format(int(v), ",d"))
            for sec2, k, _, v in eda if sec2 == sec]
    if got != want or not want:
        fail("events-per-visitor-item %s: %d points, %d rows"
             % (ser, len(got), len(want)))

s = series("funnel")
fun = {k: int(v) for sec, k, _, v in eda if sec == "funnel"}
got = [num(t.split(": ")[1].split(" ")[0])
       for t in tips(s.get("visitors", ET.Element("g")), "rect")]
want = [fun[k] for k in ("all", "view", "addtocart", "transaction")]
if got != want:
    fail("funnel %r vs %r" % (got, want))
if want[0] != int(summary["visitors"]):
    fail("funnel: all visitors %d, summary %s" % (want[0], summary["visitors"]))

# ---- offline evaluation: rs-eval -f csv ----
rows = list(csv.DictReader(open("eval.csv")))
metrics = {}
for col in rows[0]:
    m = re.match(r"(.*)_at_(\d+)$", col)
    if m:
        metrics.setdefault(m.group(1), []).append(int(m.group(2)))
if len(metrics) < 9:
    fail("eval.csv has %d metrics" % len(metrics))
for m, ks in metrics.items():
    s = series("eval-" + m)
    if sorted(s) != sorted(r["label"] for r in rows):
        fail("eval-%s series %r" % (m, sorted(s)))
    for r in rows:
        got = tips(s.get(r["label"], ET.Element("g")), "circle")
        want = ["%s @%d: %.4f" % (r["label"], k, float(r["%s_at_%d" % (m, k)]))
                for k in sorted(ks)]
        if got != want:
            fail("eval-%s %s: %r vs %r" % (m, r["label"], got, want))

# ---- replay: rs-replay --format csv ----
rows = list(csv.DictReader(open("replay.csv")))
for k in sorted({int(r["k"]) for r in rows}):
    for m, name in (("hit", "hit"), ("mrr", "mrr")):
        s = series("replay-%s-%d" % (name, k))
        for tg, ser in (("all", "all requests"),
                        ("discovery", "discovery requests")):
            got = tips(s.get(ser, ET.Element("g")), "rect")
            want = ["%s %s: %.4f" % (r["recommender"], ser, float(r[m]))
                    for r in rows if int(r["k"]) == k and r["targets"] == tg]
            if got != want or not want:
                fail("replay-%s-%d %s: %r vs %r" % (name, k, tg, got, want))

# ---- MLflow: rs-eval --mlflow ----
for k in (5, 10, 20):
    s = series("mlflow-recall-%d" % k)
    for meta in glob.glob("mlruns/*/*/meta.yaml"):
        run = os.path.dirname(meta)
        name = re.search(r"^run_name: '(.*)'$", open(meta).read(), re.M)[1]
        v = float(open(run + "/metrics/recall_at_%d" % k).read().split()[1])
        got = [t.rsplit(": ", 1)[1] for t in tips(s.get(name, ET.Element("g")),
                                                   "circle")]
        if got != ["%.4f" % v]:
            fail("mlflow-recall-%d %s: %r, want %.4f" % (k, name, got, v))

# ---- releases: rs-retrain's release.env ----
env = dict(line.rstrip("\n").split("=", 1)
           for line in open(glob.glob("models/releases/*/release.env")[0]))
s = series("releases-gate-metrics-10")
for key, ser in (("recall_at_10", "ALS recall@10"),
                 ("blend_recall_at_10", "blend recall@10"),
                 ("replay_hit_at_10", "blend replay hit@10"),
                 ("recall_popular", "popular recall@10"),
                 ("recall_recent", "recent recall@10")):
    got = [t.rsplit(": ", 1)[1] for t in tips(s.get(ser, ET.Element("g")),
                                               "circle")]
    if got != ["%.4f" % float(env[key])]:
        fail("releases %s: %r, want %s" % (ser, got, env[key]))

# ---- the retrain's own store: a series per label it evaluates ----
retrain = ET.parse("retrain.html").getroot()
names = sorted(g.find(SVG + "title").text for g in retrain.iter(SVG + "g")
               if g.get("class") == "series")
if names != ["als", "blend", "popular", "recent"]:
    fail("retrain MLflow series %r" % names)

print("%d figures checked" % len(figs))
sys.exit(1 if bad else 0)
