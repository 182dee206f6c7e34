#!/usr/bin/env python3
"""Aggregates `lethe bench --json` reports of several seeds (issue 15): per method the mean and a
95 % t-interval over seeds of avgGap, TA, FA and each attack's AUC; the oracle's own spread
(retrain-2, retrain-3 against retrain); and a paired comparison of two methods' avgGap.

usage: aggregate-seeds.py A B report.json...   (A, B: the methods compared pairwise)
"""
import json
import math
import statistics
import sys

T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
       10: 2.228, 11: 2.201, 12: 2.179, 14: 2.145, 19: 2.093, 29: 2.045}


def ci(values):
    values = [v for v in values if v is not None]
    n = len(values)
    if n == 0:
        return "–"
    m = statistics.mean(values)
    if n == 1:
        return f"{m:.3f}"
    t = T95.get(n - 1, 1.96)
    h = t * statistics.stdev(values) / math.sqrt(n)
    return f"{m:.3f} ± {h:.3f}"


a, b = sys.argv[1], sys.argv[2]
reports = [json.load(open(p)) for p in sys.argv[3:]]
seeds = [r["seed"] for r in reports]
print(f"seeds: {seeds} ({len(reports)} runs)\n")
methods = []
for r in reports:
    for x in r["results"]:
        if x["method"] not in methods:
            methods.append(x["method"])


def attack(x, name, key="auc"):
    return x.get("attacks", {}).get(name, {}).get(key)


cols = ["avgGap", "FA", "TA", "loss AUC", "RMIA AUC", "RMIA TPR@1%", "probe AUC", "steps"]
print("| method | " + " | ".join(cols) + " |")
print("|---" * (len(cols) + 1) + "|")
rows = [("original", [r["original"] for r in reports])]
rows += [(m, [x for r in reports for x in r["results"] if x["method"] == m]) for m in methods]
for name, xs in rows:
    cells = [ci([x.get("avgGap") for x in xs]) if name != "original" else "–",
             ci([x["forgetAcc"] for x in xs]), ci([x["testAcc"] for x in xs]),
             ci([attack(x, "loss") for x in xs]), ci([attack(x, "rmia") for x in xs]),
             ci([attack(x, "rmia", "tprAt1pctFpr") for x in xs]), ci([attack(x, "probe") for x in xs]),
             ci([x.get("steps") for x in xs]) if name != "original" else "–"]
    print(f"| {name} | " + " | ".join(cells) + " |")

print()
diffs, wins = [], 0
for r in reports:
    ga = next((x["avgGap"] for x in r["results"] if x["method"] == a), None)
    gb = next((x["avgGap"] for x in r["results"] if x["method"] == b), None)
    if ga is not None and gb is not None:
        diffs.append(ga - gb)
        wins += ga < gb
print(f"paired avgGap {a} − {b}: {ci(diffs)} over {len(diffs)} seeds; {a} smaller on {wins} of {len(diffs)}")
best = {}
for r in reports:
    ms = [x for x in r["results"] if not x["method"].startswith("retrain")]
    m = min(ms, key=lambda x: x["avgGap"])["method"]
    best[m] = best.get(m, 0) + 1
print(f"smallest avgGap per seed: {best}")
