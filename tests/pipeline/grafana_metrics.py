"""The checks of grafana_metrics.sh: the dashboard's shape, its PromQL
(metric names against what rs-retrain and rs-serve emit; syntax with
promtool check rules when promtool is there)."""

import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "helper"))
from rsserve import Server, build, fail  # noqa

dash = json.load(open(os.path.join(os.environ["ROOT"], "contrib", "grafana",
                                   "rs.json")))
bad = []


def problem(msg):
    bad.append(msg)
    print("FAIL: " + msg)


# ---- the dashboard's shape ----
tvars = dash.get("templating", {}).get("list", [])
ds = [v for v in tvars if v.get("type") == "datasource"]
if len(ds) != 1 or ds[0].get("query") != "prometheus":
    problem("no Prometheus data source template variable: %r" % ds)
dsname = ds[0]["name"] if ds else "datasource"
panels = []
for p in dash.get("panels", []):
    panels.append(p)
    panels.extend(p.get("panels", []))
ids = [p.get("id") for p in panels]
if len(set(ids)) != len(ids) or None in ids:
    problem("panel ids not unique: %r" % ids)
exprs = []
for p in panels:
    if p.get("type") == "row":
        continue
    for k in ("h", "w", "x", "y"):
        if not isinstance(p.get("gridPos", {}).get(k), int):
            problem("panel %r: no gridPos %s" % (p.get("title"), k))
    for t in [p] + p.get("targets", []):
        uid = t.get("datasource", {}).get("uid")
        if uid not in ("${%s}" % dsname, "$" + dsname):
            problem("panel %r: data source %r, not the variable" %
                    (p.get("title"), uid))
    if not p.get("targets"):
        problem("panel %r has no query" % p.get("title"))
    for t in p.get("targets", []):
        exprs.append((p["title"], t["expr"]))
for v in tvars:
    if v.get("type") == "query":
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", q)
        if not m:
            problem("variable %s: query %r is not label_values(metric, label)"
                    % (v["name"], q))
        else:
            exprs.append(("variable " + v["name"], m.group(1)))

# ---- metric names in the PromQL ----
FUNCS = {"rate", "irate", "increase", "sum", "avg", "min", "max", "count",
         "histogram_quantile", "time", "changes", "delta", "deriv",
         "abs", "clamp_min", "clamp_max", "topk", "bottomk", "vector",
         "scalar", "label_replace", "quantile", "max_over_time",
         "min_over_time", "avg_over_time", "last_over_time", "timestamp"}
WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right",
         "bool", "and", "or", "unless", "offset"}


def names(expr):
    e = re.sub(r'"(\\.|[^"\\])*"', '""', expr)        # string literals
    e = re.sub(r"\{[^}]*\}", "", e)                    # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                   # ranges
    e = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", e)
    e = re.sub(r"\$\{?\w+\}?", "", e)                  # Grafana variables
    out = set()
    for m in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)\s*(\()?", e):
        w, call = m.group(1), m.group(2)
        if call and w in FUNCS:
            continue
        if w in WORDS:
            continue
        if call:
            problem("unknown function %s( in %r" % (w, expr))
            continue
        out.add(w)
    return out


used = {}
for title, e in exprs:
    for n in names(e):
        used.setdefault(n, []).append(title)
if not used:
    problem("no metric names found in the dashboard")
for n in used:
    if not n.startswith(("rs_retrain_", "rs_serve_")):
        problem("%s (in %r) is not a metric of rs" % (n, used[n][0]))


# ---- what rs emits ----
def families(text, where):
    """{sample name: family type}, histogram samples under the family's
    _bucket/_sum/_count names."""
    types, out = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, n, t = line.split(None, 3)
            types[n] = t
        elif line and not line.startswith("#"):
            n = re.match(r"[A-Za-z_:][\w:]*", line).group(0)
            base = re.sub(r"_(bucket|sum|count)$", "", n)
            if types.get(base) == "histogram":
                out[n] = "histogram " + base
            elif n in types:
                out[n] = types[n]
            else:
                problem("%s: sample %s without a TYPE" % (where, n))
    return out


emitted = families(open(sys.argv[1]).read(), sys.argv[1])
build(scale="0.02", factors="8")
srv = Server(["-q", "-H", "ev.rse", "-m", "a.rsa", "-p", "p.rsa", "-n",
              "k.rsk", "-i", "items.rse"])
# Every endpoint once, so that the scrape has traffic in every family.
srv.get_json("/healthz")
srv.get_json("/recommendations?visitor=1&k=3")
srv.request("GET", "/similar?item=1&k=3")
st, _, body = srv.request("GET", "/metrics")
if st != 200:
    fail("GET /metrics: status %d" % st)
emitted.update(families(body.decode(), "/metrics"))
srv.stop()

hists = {t.split()[1] for t in emitted.values() if t.startswith("histogram")}
for n in sorted(used):
    if n in hists:
        problem("%s (%s) is a histogram: query its _bucket, _sum or _count"
                % (n, ", ".join(sorted(set(used[n])))))
    elif n not in emitted:
        problem("the dashboard queries %s (%s), which rs does not emit"
                % (n, ", ".join(sorted(set(used[n])))))
left = sorted({t.split()[-1] if t.startswith("histogram") else n
               for n, t in emitted.items()} -
              {re.sub(r"_(bucket|sum|count)$", "", n) for n in used} - set(used))
print("dashboard: %d metric names queried; emitted but not on it: %s"
      % (len(used), ", ".join(left) or "none"))

# ---- PromQL syntax: promtool check rules on every expression ----
promtool = shutil.which("promtool")
if promtool:
    with open("dash-rules.yml", "w") as f:
        f.write("groups:\n- name: dashboard\n  rules:\n")
        for i, (title, e) in enumerate(exprs):
            e = e.replace("$__rate_interval", "5m").replace("$__interval", "1m")
            e = re.sub(r"\$\{?\w+\}?", ".*", e)
            f.write("  - record: rs:dashboard:%d\n    expr: %s\n"
                    % (i, json.dumps(e)))
    r = subprocess.run([promtool, "check", "rules", "dash-rules.yml"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0:
        problem("promtool check rules: " + r.stdout)
    else:
        print("promtool: %d expressions parse" % len(exprs))
else:
    print("promtool not installed: PromQL syntax not checked")

sys.exit(1 if bad else 0)
