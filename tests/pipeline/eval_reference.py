#!/usr/bin/env python3
# eval_reference.py - an independent reference for rs-eval: draws a random
# truth matrix, training matrix and recommendation file (rows shuffled,
# rank gaps, visitors with no list, lists longer and shorter than K,
# visitors outside the truth, empty truth rows), computes every metric
# straight from the definitions in rs-eval(1), runs rs-eval on the same
# files (CSV, and the same rows as JSON Lines and TSV) and compares.
# Python standard library only.
#
#   python3 eval_reference.py MKMATRIX_DIR SEED
import csv
import io
import json
import math
import os
import random
import subprocess
import sys

KS = [1, 5, 10, 20]
TOL = 1e-6


def draw(rng):
    items = list(range(1000, 1000 + 150))
    truth, train = {}, {}
    for u in range(1, 401):
        if rng.random() < 0.7:
            n = rng.choice([0, 1, 1, 2, 3, 5, 8])
            truth[u] = set(rng.sample(items, n))
    for u in range(1, 601):
        n = rng.randint(0, 10)
        # Skewed popularity: low ids are popular.
        train[u] = {items[min(int(rng.expovariate(0.05)), 149)]
                    for _ in range(n)}
    recs = {}
    for u in range(1, 451):
        if rng.random() < 0.8:
            n = rng.choice([0, 1, 3, 7, 12, 20, 25, 30])
            lst = rng.sample(items + [5000, 5001], n)
            if lst:
                recs[u] = lst
    return truth, train, recs


def reference(truth, train, recs, catalogue):
    n_i = {}
    for its in train.values():
        for i in its:
            n_i[i] = n_i.get(i, 0) + 1
    big_n = sum(n_i.values())
    users = [u for u in sorted(truth) if truth[u]]
    out = {"users": len(users),
           "users_with_recs": sum(1 for u in users if u in recs)}
    out["users_without_recs"] = out["users"] - out["users_with_recs"]
    out["ignored"] = sum(1 for u in recs if not truth.get(u))
    for k in KS:
        sums = {m: 0.0 for m in ("precision", "recall", "ndcg", "map",
                                 "hit_rate", "mrr")}
        seen, nov, pop = set(), [], []
        for u in users:
            t = truth[u]
            top = recs.get(u, [])[:k]
            rel = [1 if x in t else 0 for x in top]
            hits = sum(rel)
            sums["precision"] += hits / k
            sums["recall"] += hits / len(t)
            dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rel))
            idcg = sum(1 / math.log2(i + 2) for i in range(min(k, len(t))))
            sums["ndcg"] += dcg / idcg
            ap = sum(sum(rel[:i + 1]) / (i + 1)
                     for i, r in enumerate(rel) if r)
            sums["map"] += ap / min(k, len(t))
            sums["hit_rate"] += 1 if hits else 0
            first = [i for i, r in enumerate(rel) if r]
            sums["mrr"] += 1 / (first[0] + 1) if first else 0
            if u in recs:
                seen.update(top)
                for x in top:
                    c = n_i.get(x, 0)
                    nov.append(-math.log2(max(c, 1) / big_n))
                    pop.append(c)
        for m, v in sums.items():
            out["%s_at_%d" % (m, k)] = v / len(users)
        out["coverage_at_%d" % k] = len(seen & catalogue) / len(catalogue)
        out["novelty_at_%d" % k] = sum(nov) / len(nov)
        out["avg_pop_at_%d" % k] = sum(pop) / len(pop)
    return out


def run_eval(args):
    p = subprocess.run(["rs-eval"] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        sys.exit("rs-eval %s: exit %d: %s" % (" ".join(args), p.returncode,
                                               p.stderr))
    return list(csv.DictReader(io.StringIO(p.stdout)))


def main():
    sys.dont_write_bytecode = True
    sys.path.insert(0, sys.argv[1])
    import mkmatrix
    rng = random.Random(int(sys.argv[2]))
    truth, train, recs = draw(rng)
    mkmatrix.write_matrix([(u, i, 1.0) for u, its in truth.items()
                           for i in its],
                          [u for u, its in truth.items() if not its],
                          "truth.rsm")
    mkmatrix.write_matrix([(u, i, 1.0) for u, its in train.items()
                           for i in its],
                          [u for u, its in train.items() if not its],
                          "train.rsm")
    rows = []
    for u, lst in recs.items():
        rank = 0
        for x in lst:
            rank += rng.choice([1, 1, 1, 2, 5])
            rows.append((u, x, rank))
    rng.shuffle(rows)
    with open("recs.csv", "w") as f:
        f.write("score,user,source,item,rank\n")
        for u, x, r in rows:
            f.write('%.3f,%d,"a,b",%d,%d\n' % (1.0 / r, u, x, r))
    with open("recs.jsonl", "w") as f:
        for u, x, r in rows:
            f.write(json.dumps({"rank": r, "item": x, "user": u,
                                "source": "als"}) + "\n")
    with open("recs.tsv", "w") as f:
        f.write("user\titem\trank\n")
        for u, x, r in rows:
            f.write("%d\t%d\t%d\n" % (u, x, r))
    catalogue = set()
    for its in train.values():
        catalogue |= its
    want = reference(truth, train, recs, catalogue)
    got = run_eval(["-t", "truth.rsm", "--train", "train.rsm", "-k",
                    ",".join(map(str, KS)), "-f", "csv", "recs.csv",
                    "recs.jsonl", "recs.tsv"])
    bad = 0
    for key, v in want.items():
        g = float(got[0][key])
        if not abs(g - v) <= TOL * max(1.0, abs(v)):
            print("%s: rs-eval %r, reference %r" % (key, g, v))
            bad += 1
    for other in got[1:]:
        for key in want:
            if other[key] != got[0][key]:
                print("%s: %s gives %s, recs.csv %s" % (
                    key, other["file"], other[key], got[0][key]))
                bad += 1
    print("%d values compared, %d rows, %d differences" % (
        len(want), len(rows), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
