"""Sanity checks on a `lethe bench --json` report: shape, ranges, and that training worked."""
import json
import math
import sys

report = json.load(open(sys.argv[1]))
errors = []

for key in ["dataset", "seed", "trainSize", "forgetSize", "retainSize", "holdoutSize", "parameters",
            "original", "results"]:
    if key not in report:
        errors.append(f"missing key {key}")

metric_keys = ["forgetAcc", "retainAcc", "testAcc", "miaAuc"]
result_keys = metric_keys + ["method", "miaAucLow", "miaAucHigh", "uis", "avgGap", "steps", "seconds"]


def in_unit(name, value):
    if value is None or not (0.0 <= value <= 1.0) or math.isnan(value):
        errors.append(f"{name} = {value} is not in [0, 1]")


original = report.get("original", {})
for k in metric_keys:
    in_unit(f"original.{k}", original.get(k))
if original.get("forgetAcc", 0) < 0.9:
    errors.append(f"the original model did not fit its training data: forgetAcc {original.get('forgetAcc')}")
if original.get("testAcc", 0) < 0.5:
    errors.append(f"the original model did not learn: testAcc {original.get('testAcc')}")

methods = [r.get("method") for r in report.get("results", [])]
for expected in ["orthograd", "orthograd-global", "ga", "neggrad-plus", "finetune", "retrain"]:
    if expected not in methods:
        errors.append(f"method {expected} missing from results")
for r in report.get("results", []):
    for k in result_keys:
        if k not in r:
            errors.append(f"{r.get('method')}: missing {k}")
    for k in metric_keys + ["miaAucLow", "miaAucHigh"]:
        in_unit(f"{r.get('method')}.{k}", r.get(k))
    if r.get("seconds", -1) < 0:
        errors.append(f"{r.get('method')}: negative seconds")
    if not (r.get("miaAucLow", 0) <= r.get("miaAuc", 0) <= r.get("miaAucHigh", 1)):
        errors.append(f"{r.get('method')}: MIA AUC outside its interval")
attack_keys = ["auc", "aucLow", "aucHigh", "tprAt1pctFpr", "tprAt01pctFpr"]
for r in [dict(original, method="original")] + report.get("results", []):
    attacks = r.get("attacks", {})
    for name in ["loss", "rmia"] + (["probe"] if report.get("architecture", "cnn").startswith("cnn") else []):
        if name not in attacks:
            errors.append(f"{r.get('method')}: attack {name} missing")
            continue
        for k in attack_keys:
            in_unit(f"{r.get('method')}.attacks.{name}.{k}", attacks[name].get(k))
retrain = next((r for r in report.get("results", []) if r.get("method") == "retrain"), None)
if retrain and retrain.get("avgGap") != 0:
    errors.append("retrain's avgGap against itself must be 0")

if errors:
    print("bench JSON check FAILED:")
    for e in errors:
        print("  -", e)
    sys.exit(1)
print(f"bench JSON check passed: {len(methods)} methods, original TA {original['testAcc']}, "
      f"MIA AUC {original['miaAuc']}")
