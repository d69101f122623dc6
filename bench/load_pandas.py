#!/usr/bin/env python3
"""load_pandas.py - the pandas side of bench/load.sh.

Reads one Retailrocket CSV with pandas.read_csv, the dtypes given (the
fair comparison with rs-load, which also types every column), and prints
"rows seconds" on stdout; seconds cover read_csv only, not the import.

    python3 bench/load_pandas.py events|props|tree FILE
"""
import sys
import time

import pandas as pd

DTYPES = {
    "events": {"timestamp": "int64", "visitorid": "int64",
               "event": "category", "itemid": "int64",
               "transactionid": "float64"},
    "props": {"timestamp": "int64", "itemid": "int64",
              "property": "object", "value": "object"},
    "tree": {"categoryid": "int64", "parentid": "float64"},
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in DTYPES:
        sys.stderr.write("usage: load_pandas.py events|props|tree file\n")
        return 2
    kind, path = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    df = pd.read_csv(path, dtype=DTYPES[kind])
    t1 = time.perf_counter()
    print(len(df), "%.3f" % (t1 - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
