#!/usr/bin/env python3
# clean_items_pandas.py - the computation of rs-clean-items written in
# pandas, with the same definitions (man/rs-clean-items.1, lib/items.h), for
# the side-by-side benchmark in bench/clean_items.sh.  Its output is the
# CSV of `rs-clean-items --csv`, byte for byte, so the two can be compared
# with cmp.
#
#   python3 clean_items_pandas.py tree.csv AS_OF|end TOP_N KEEP(0|1) out.csv props.csv ...
#
# Phase timings (read, compute, write) go to stderr.
import sys
import time

import numpy as np
import pandas as pd

NUM_RE = r"(?:^| )n([-+]?\d+(?:\.\d+)?)(?= |$)"
BAD_RE = r"(?:^| )n(?![-+]?\d+(?:\.\d+)?(?: |$))"


def roots_of(tree):
    """Root of every category, with the repairs of lib/tree.h: the first
    row of a category wins, an orphan becomes a root, a cycle is cut at
    its smallest member."""
    parent = {}
    for c, p in zip(tree.categoryid, tree.parentid):
        if int(c) not in parent:
            parent[int(c)] = None if pd.isna(p) else int(p)
    for c in parent:
        if parent[c] is not None and parent[c] not in parent:
            parent[c] = None
    walk = {}
    for c in parent:
        path, x = [], c
        while x is not None and x not in walk:
            walk[x] = c
            path.append(x)
            x = parent[x]
        if x is not None and walk[x] == c:
            parent[min(path[path.index(x):])] = None
    root = {}
    for c in parent:
        path, x = [], c
        while x not in root and parent[x] is not None:
            path.append(x)
            x = parent[x]
        r = root.get(x, x)
        for y in path + [x]:
            root[y] = r
    return root


def shortest(v):
    for prec in (15, 16, 17):
        s = "%.*g" % (prec, v)
        if float(s) == v:
            return s
    return s


def main():
    tree_path, as_of_arg, top_n, keep, out = sys.argv[1:6]
    files = sys.argv[6:]
    top_n, keep = int(top_n), int(keep) == 1
    t0 = time.time()
    tree = pd.read_csv(tree_path, dtype={"categoryid": np.int64,
                                         "parentid": "Int64"})
    props = pd.concat([pd.read_csv(f, dtype={"timestamp": np.int64,
                                             "itemid": np.int64,
                                             "property": str, "value": str},
                                   keep_default_na=False)
                       for f in files], ignore_index=True)
    t1 = time.time()

    root = roots_of(tree)
    is_cat = props.property == "categoryid"
    is_av = props.property == "available"
    is_num = ~(is_cat | is_av)

    # Bad records: skipped whole, counted.
    cat_ok = props.value.str.fullmatch(r"\d{1,20}") & is_cat
    catv = pd.to_numeric(props.value.where(cat_ok), errors="coerce")
    cat_in = catv.isin(list(root.keys()))
    bad = (is_cat & ~cat_in) | (is_av & ~props.value.isin(["0", "1"]))
    numrows = props.value.where(is_num, "")
    bad |= is_num & numrows.str.contains(BAD_RE, regex=True)
    nbad = int(bad.sum())
    good = props[~bad]
    if as_of_arg == "end":
        as_of = int(good.timestamp.max()) if len(good) else None
    else:
        as_of = int(as_of_arg)
    if as_of is not None:
        good = good[good.timestamp <= as_of]

    # Input order decides ties: stable sort by time, keep the last.
    good = good.sort_values("timestamp", kind="stable")
    span = good.groupby("itemid").timestamp.agg(["min", "max"])
    cats = good[good.property == "categoryid"].drop_duplicates(
        "itemid", keep="last").set_index("itemid").value.astype(np.int64)
    avs = good[good.property == "available"]
    av_last = avs.drop_duplicates("itemid", keep="last").set_index(
        "itemid").value.astype(np.int64)
    ever = (avs.value == "1").groupby(avs.itemid).any()

    items = pd.DataFrame(index=span.index)
    items["first_seen"] = span["min"]
    items["last_seen"] = span["max"]
    items["categoryid"] = cats.reindex(items.index).astype("Int64")
    items["root"] = items.categoryid.map(
        lambda c: root.get(c) if not pd.isna(c) else None).astype("Int64")
    items["available"] = av_last.reindex(items.index).fillna(0).astype(int)
    items["ever_available"] = ever.reindex(items.index).fillna(False) \
        .astype(int)
    seen = len(items)
    never = int((items.ever_available == 0).sum())
    if not keep:
        items = items[items.ever_available == 1]

    # Numeric values: first number token of the latest record having one.
    num = good[~good.property.isin(["categoryid", "available"])]
    first = num.value.str.extract(NUM_RE, expand=False)
    num = num.assign(v=first.astype(float))[first.notna()]
    num = num.drop_duplicates(["itemid", "property"], keep="last")
    num = num[num.itemid.isin(items.index)]
    num = num.assign(property=num.property.astype(np.int64),
                     cat=items.categoryid.reindex(num.itemid)
                     .fillna(-1).astype(np.int64).values)
    counts = num.groupby(["cat", "property"]).size().rename("n") \
        .reset_index()
    counts = counts.sort_values(["cat", "n", "property"],
                                ascending=[True, False, True])
    # RS_ID_NONE (no category) sorts last in the C tool; -1 sorts first
    # here, which changes nothing: ranks are per category.
    counts["rank"] = counts.groupby("cat").cumcount()
    kept = counts[counts["rank"] < top_n][["cat", "property"]]
    vals = num.merge(kept, on=["cat", "property"])
    vals = vals.sort_values(["itemid", "property"])
    vals["pv"] = vals.property.astype(str) + "=" + \
        [shortest(v) for v in vals.v]
    pstr = vals.groupby("itemid").pv.agg(" ".join)
    t2 = time.time()

    items = items.sort_index()
    items["properties"] = pstr.reindex(items.index).fillna("")
    with open(out, "w") as f:
        f.write("itemid,categoryid,root,available,ever_available,"
                "first_seen,last_seen,properties\n")
        for row in zip(items.index, items.categoryid, items.root,
                       items.available, items.ever_available,
                       items.first_seen, items.last_seen, items.properties):
            f.write("%d,%s,%s,%d,%d,%d,%d,%s\n" % (
                row[0], "" if pd.isna(row[1]) else int(row[1]),
                "" if pd.isna(row[2]) else int(row[2]),
                row[3], row[4], row[5], row[6], row[7]))
    t3 = time.time()
    print("pandas: %d items seen, %d kept, %d %s as never available, "
          "%d bad records" % (seen, len(items), never,
                              "kept" if keep else "dropped", nbad),
          file=sys.stderr)
    print("pandas phases: read %.2f s, compute %.2f s, write %.2f s" %
          (t1 - t0, t2 - t1, t3 - t2), file=sys.stderr)


main()
