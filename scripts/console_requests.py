#!/usr/bin/env python3
"""Plans the console client's requests and checks what came out of the topics (see console-client.sh).

Knows only the event contracts of issue #3: sample records, deletion requests, CloudEvents on
lethe.audit and lethe.model-versions, tombstones, dead-letter headers.
"""
import hashlib
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_audit_chain  # noqa: E402  (the independent chain verifier next to this script)

TERMINAL = {"dev.lethe.deletion.completed", "dev.lethe.deletion.escalated"}
failures = []


def check(ok, what):
    print(("   PASS  " if ok else "   FAIL  ") + what)
    if not ok:
        failures.append(what)


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def key_value(line):
    key, _, value = line.partition("\t")
    return key, value


def samples_by_subject(work):
    subjects = {}
    for line in lines(os.path.join(work, "samples.tsv")):
        _, value = key_value(line)
        s = json.loads(value)
        if s["split"] == "train":
            subjects.setdefault(s["subjectId"], []).append(s["sampleId"])
    return subjects


def request(rid, subject):
    return subject + "\t" + json.dumps({"requestId": rid, "subjectId": subject}, separators=(",", ":"))


def plan(work):
    subjects = sorted(samples_by_subject(work))
    known = subjects[::max(1, len(subjects) // 16)][:16]
    chosen = known + ["unknown-subject-%d" % i for i in range(1, 5)]  # 20 subjects
    valid, out = {}, []
    for i in range(36):
        rid, subject = "cc-%03d" % (i + 1), chosen[i % len(chosen)]
        valid[rid] = subject
        out.append(request(rid, subject))
    out += [request("cc-%03d" % (i + 1), chosen[i % len(chosen)]) for i in range(8)]  # resent
    other = known[0]
    out += [
        "x\t{not json",
        "x\t" + json.dumps({"requestId": "bad-missing-subject"}),
        "x\t" + json.dumps({"requestId": "bad-wrong-type", "subjectId": 42}),
        "someone-else\t" + json.dumps({"requestId": "bad-key-mismatch", "subjectId": other}),
        other + "\t" + json.dumps({"specversion": "1.0", "id": "e-1", "source": "urn:console", "type": "com.example.unknown",
                                   "data": {"requestId": "bad-event-type", "subjectId": other}}),
        other + "\t" + json.dumps({"requestId": "bad-oversized-" + "x" * 70000, "subjectId": other}),
    ]
    with open(os.path.join(work, "plan.json"), "w") as f:
        json.dump({"valid": valid, "subjects": chosen, "malformed": 6, "lines": len(out)}, f)
    print("\n".join(out))


def replay(work):
    p = json.load(open(os.path.join(work, "plan.json")))
    completed = list(p["valid"].items())[:5]
    subjects = sorted(samples_by_subject(work))
    fresh = [s for s in subjects if s not in p["subjects"]][:2]
    new = {"cc-101": fresh[0], "cc-102": fresh[1]}
    with open(os.path.join(work, "replay.json"), "w") as f:
        json.dump({"resent": [r for r, _ in completed], "new": new}, f)
    # cc-102 goes through the REST API instead (see console-client.sh)
    print("\n".join([request(r, s) for r, s in completed] + [request("cc-101", new["cc-101"])]))


def rest_body(work):
    new = json.load(open(os.path.join(work, "replay.json")))["new"]
    print(json.dumps({"requestId": "cc-102", "subjectId": new["cc-102"]}))


def valid_ids(work):
    ids = dict(json.load(open(os.path.join(work, "plan.json")))["valid"])
    rp = os.path.join(work, "replay.json")
    if os.path.exists(rp):
        ids.update(json.load(open(rp))["new"])
    return ids


def audit_events(work):
    events = []
    for line in lines(os.path.join(work, "audit.tsv")):
        _, value = key_value(line)
        events.append(json.loads(value))
    return events


def done(work):
    ids = valid_ids(work)
    finished = {e["data"]["requestId"] for e in audit_events(work) if e["type"] in TERMINAL}
    missing = [r for r in ids if r not in finished]
    print("   %d of %d valid requests finished" % (len(ids) - len(missing), len(ids)))
    return 0 if not missing else 1


def verify_chain(events):
    """The first broken link as text, or None (scripts/verify_audit_chain.py does the work)."""
    broken = verify_audit_chain.verify(events)
    return None if broken is None else "event %d: %s" % broken


def check_all(work, stage):
    print("-- checks (%s)" % stage)
    ids = valid_ids(work)
    subjects = samples_by_subject(work)
    events = audit_events(work)
    terminal = {}
    for e in events:
        if e["type"] in TERMINAL:
            terminal.setdefault(e["data"]["requestId"], []).append(e)
    counts = {r: len(terminal.get(r, [])) for r in ids}
    check(all(c == 1 for c in counts.values()),
          "exactly one terminal audit event per valid request id (%d ids; counts %s)"
          % (len(ids), sorted(set(counts.values()))))
    by_type = {}
    for e in events:
        by_type[e["type"].rsplit(".", 1)[-1]] = by_type.get(e["type"].rsplit(".", 1)[-1], 0) + 1
    print("   audit events by type: %s" % json.dumps(by_type, sort_keys=True))
    raw = [s for s in set(ids.values()) if any(s in json.dumps(e) for e in events)]
    check(not raw, "no raw subject id in any audit event (%d subjects checked)" % len(set(ids.values())))
    problem = verify_chain(events)
    check(problem is None, "audit hash chain verifies over %d events%s" % (len(events), "" if problem is None else ": " + problem))

    dlq = lines(os.path.join(work, "dlq.tsv"))
    reasons = [l.split("dead-letter-reason:", 1)[1].split(",dead-letter-topic:")[0] for l in dlq if "dead-letter-reason:" in l]
    check(len(dlq) == 6 and len(reasons) == 6, "6 malformed records in the DLQ, each with a reason (found %d)" % len(dlq))
    for r in reasons:
        print("         reason: " + r[:140])

    versions = [json.loads(key_value(l)[1])["data"] for l in lines(os.path.join(work, "versions.tsv"))]
    numbers = [v["version"] for v in versions]
    check(numbers == list(range(1, len(numbers) + 1)) and all(
        v["parentVersion"] == (v["version"] - 1 if v["version"] > 1 else None) for v in versions),
        "model versions rise by one with parent links: %s" % numbers)
    sha_ok = True
    for v in versions:
        path = urllib.parse.urlparse(v["artifactUri"]).path
        with open(path, "rb") as f:
            sha_ok &= hashlib.sha256(f.read()).hexdigest() == v["sha256"]
    check(sha_ok, "every published artifact's sha256 matches the file")
    for v in versions:
        m = v["metrics"]
        print("         v%d parent %s  samples %d  requests %d  MIA %s -> %s  holdout acc %s" % (
            v["version"], v["parentVersion"], v["samplesForgotten"], len(v["requestIds"]),
            m["miaAucBefore"], m["miaAuc"], m["holdoutAcc"]))

    tomb = [key_value(l)[0] for l in lines(os.path.join(work, "samples-topic.tsv")) if key_value(l)[1] == "null"]
    forgotten_subjects = {ids[r] for r, es in terminal.items() if r in ids
                          and es[0]["type"].endswith("completed") and es[0]["data"]["samplesForgotten"] > 0}
    expected = sorted(s for subj in forgotten_subjects for s in subjects.get(subj, []))
    check(sorted(tomb) == expected, "tombstones for exactly the forgotten samples, once each (%d)" % len(tomb))
    escalated = [r for r, es in terminal.items() if es[0]["type"].endswith("escalated")]
    print("   requests completed: %d, escalated: %d" % (len(terminal) - len(escalated), len(escalated)))

    metrics = [l for l in lines(os.path.join(work, "metrics.txt")) if l.startswith("lethe_")
               and any(k in l for k in ("requests_total", "dead_letters_total", "model_version", "pending",
                                        "versions_published_total", "mia_auc", "unlearn_duration_seconds_count"))]
    check(any(l.startswith("lethe_requests_total") for l in metrics), "/q/metrics shows the request counts")
    for l in metrics:
        print("         " + l)
    if failures:
        print("FAILED: %d check(s)" % len(failures))
        sys.exit(1)


if __name__ == "__main__":
    cmd, work = sys.argv[1], sys.argv[2]
    if cmd == "plan":
        plan(work)
    elif cmd == "replay":
        replay(work)
    elif cmd == "rest-body":
        rest_body(work)
    elif cmd == "done":
        sys.exit(done(work))
    elif cmd == "check":
        check_all(work, sys.argv[3] if len(sys.argv) > 3 else "")
