#!/usr/bin/env python3
"""interactions_pandas.py - the computation of `rs-interactions` in pandas
and scipy.sparse, for bench/interactions.sh to time side by side.

    python3 interactions_pandas.py events.csv out.npz [--until MS]

Same definition as rs-interactions with its defaults: weights view=1,
addtocart=5, transaction=3, summed per (visitor, item) pair (the original
project's choice), events at or after --until dropped; rows sorted by
visitor id, columns by item id, float32 values, CSR.  Writes the matrix
with scipy.sparse.save_npz (uncompressed) plus the row and column ids, and
prints the wall and CPU time of each phase to stderr so the reader can
tell parsing from computing.
"""
import sys
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

WEIGHTS = {"view": 1.0, "addtocart": 5.0, "transaction": 3.0}


def main():
    args = sys.argv[1:]
    until = None
    if "--until" in args:
        i = args.index("--until")
        until = int(args[i + 1])
        del args[i:i + 2]
    src, dst = args
    t0, c0 = time.perf_counter(), time.process_time()
    ev = pd.read_csv(src, usecols=["timestamp", "visitorid", "event",
                                   "itemid"],
                     dtype={"timestamp": np.int64, "visitorid": np.uint64,
                            "event": "category", "itemid": np.uint64})
    t1, c1 = time.perf_counter(), time.process_time()
    if until is not None:
        ev = ev[ev["timestamp"] < until]
    w = ev["event"].map(WEIGHTS).astype(np.float64)
    # Sorted unique ids give the row / column order (categories sorted).
    rows = pd.Categorical(ev["visitorid"])
    cols = pd.Categorical(ev["itemid"])
    m = sp.coo_matrix((w.to_numpy(), (rows.codes, cols.codes)),
                      shape=(len(rows.categories), len(cols.categories)))
    m = m.tocsr()          # sums duplicates, sorts indices
    m.sum_duplicates()
    m.sort_indices()
    m = m.astype(np.float32)
    t2, c2 = time.perf_counter(), time.process_time()
    sp.save_npz(dst, m, compressed=False)
    np.save(dst + ".rows.npy", rows.categories.to_numpy(np.uint64))
    np.save(dst + ".cols.npy", cols.categories.to_numpy(np.uint64))
    t3, c3 = time.perf_counter(), time.process_time()
    print("pandas: %d events, %d rows, %d cols, %d nonzeros; wall (CPU) "
          "seconds: read_csv %.2f (%.2f), compute %.2f (%.2f), save %.2f "
          "(%.2f)" % (len(ev), m.shape[0], m.shape[1], m.nnz, t1 - t0,
                      c1 - c0, t2 - t1, c2 - c1, t3 - t2, c3 - c2),
          file=sys.stderr)


if __name__ == "__main__":
    main()
