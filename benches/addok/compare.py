#!/usr/bin/env python3
"""Runs the labelled query set (tests/fixtures/geocode/queries.csv) against BAN-compatible
HTTP servers and prints top-1 accuracy per damage kind, plus sequential latency.

    compare.py urbaclic=http://127.0.0.1:8765 addok=http://127.0.0.1:7878
"""
import csv
import json
import os
import sys
import time
import urllib.parse
import urllib.request
from collections import defaultdict

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
QUERIES = os.path.join(ROOT, "tests", "fixtures", "geocode", "queries.csv")


def run(base):
    per = defaultdict(lambda: [0, 0])
    times = []
    with open(QUERIES, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    for r in rows:
        params = {"q": r["query"], "limit": "1", "autocomplete": r["autocomplete"]}
        url = f"{base}/search/?{urllib.parse.urlencode(params)}"
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = json.load(resp)
        except Exception:
            body = {"features": []}
        times.append(time.perf_counter() - t)
        feats = body.get("features") or []
        got = feats[0]["properties"].get("id") if feats else None
        per[r["kind"]][1] += 1
        if got == r["expected_id"]:
            per[r["kind"]][0] += 1
    times.sort()
    return per, times


def main():
    results = {}
    for arg in sys.argv[1:]:
        name, base = arg.split("=", 1)
        results[name] = run(base.rstrip("/"))
    names = list(results)
    kinds = sorted({k for per, _ in results.values() for k in per})
    print("| kind | n | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for k in kinds + ["overall"]:
        cells = []
        n = 0
        for name in names:
            per = results[name][0]
            ok, tot = (per[k] if k != "overall" else
                       [sum(v[0] for v in per.values()), sum(v[1] for v in per.values())])
            n = tot
            cells.append(f"{100 * ok / tot:.1f} %")
        print(f"| {k} | {n} | " + " | ".join(cells) + " |")
    for name in names:
        t = results[name][1]
        p = lambda q: t[int((len(t) - 1) * q)] * 1000
        print(f"{name}: sequential HTTP latency p50 {p(0.5):.2f} ms, p99 {p(0.99):.2f} ms, "
              f"{len(t) / sum(t):.0f} queries/s one client")


if __name__ == "__main__":
    main()
