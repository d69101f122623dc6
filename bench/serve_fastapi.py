"""serve_fastapi.py - the reference of bench/serve.sh: the original
project's design, a FastAPI app under uvicorn answering from precomputed
lists held in a dict (the rs-answer rows of the same release for the
same visitors, and the similar items of the same items).  Bench only,
not shipped.

    /usr/bin/python3 serve_fastapi.py recs.csv similar.csv PORT
"""
import csv
import sys

import uvicorn
from fastapi import FastAPI

recs, similar = {}, {}
with open(sys.argv[1]) as f:
    for row in csv.DictReader(f):
        recs.setdefault(int(row["visitor"]), []).append(
            {"item": int(row["item"]), "rank": int(row["rank"]),
             "score": float(row["score"]), "source": row["source"]})
with open(sys.argv[2]) as f:
    for row in csv.DictReader(f):
        similar.setdefault(int(row["query"]), []).append(
            {"item": int(row["item"]), "rank": int(row["rank"]),
             "score": float(row["score"]), "source": row["source"]})
popular = next(iter(recs.values()), [])
app = FastAPI()


@app.get("/recommendations")
def recommendations(visitor: int, k: int = 10):
    return {"visitor": visitor, "k": k,
            "items": recs.get(visitor, popular)[:k]}


@app.get("/similar")
def similar_items(item: int, k: int = 10):
    return {"item": item, "k": k, "items": similar.get(item, [])[:k]}


@app.post("/events")
def events(body: dict):
    return {"accepted": 1}


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]),
            log_level="warning", access_log=False)
