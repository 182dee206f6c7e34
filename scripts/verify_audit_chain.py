#!/usr/bin/env python3
"""Verifies a Lethe audit hash chain independently of Lethe (Python 3 standard library only).

Input: the audit topic's record values in topic order, one CloudEvent JSON per line, e.g.

    kafka-console-consumer.sh --bootstrap-server B --topic lethe.audit --from-beginning \\
        --isolation-level read_committed --timeout-ms 10000 > audit.jsonl
    scripts/verify_audit_chain.py audit.jsonl          # or: ... | scripts/verify_audit_chain.py -

JSON lines that are not CloudEvents of an audit type (dev.lethe.deletion.*, dev.lethe.retrain.required,
dev.lethe.model.version.retired, dev.lethe.model.rebased, dev.lethe.model.rebase.refused) are skipped,
as `lethe audit verify` skips them; a line that is not a JSON object is a broken link. A line of the form KEY<TAB>JSON (print.key=true) is accepted.

Each event's data has prevHash (the previous hash; 64 zeros first) and hash. With
hashAlg = "sha256-jcs": hash = sha256(utf8(JCS(data without "hash"))), JCS being RFC 8785.
Without hashAlg (events written before it): hash = sha256(prevHash + "\\n" + json), json being
Jackson's sorted, compact output with Java's Double.toString numbers.

Several models may share one audit topic: each event's data names its model ("model"; events
written before that name none) and each model has its own chain from 64 zeros.

Exit status 0 when every chain is intact, 1 with the first broken event (0-based) otherwise.
"""
import hashlib
import json
import math
import sys

GENESIS = "0" * 64
HASH_ALG = "sha256-jcs"
AUDIT_TYPES = {
    "dev.lethe.deletion.received", "dev.lethe.deletion.completed", "dev.lethe.deletion.escalated",
    "dev.lethe.deletion.rejected", "dev.lethe.retrain.required", "dev.lethe.model.version.retired",
    "dev.lethe.model.rebased", "dev.lethe.model.rebase.refused",
}


def _jcs_string(s):
    # RFC 8785 3.2.2.2: only " \ and control characters are escaped; json.dumps does exactly that.
    return json.dumps(s, ensure_ascii=False)


def _digits(x):
    """(digits, n) with abs(x) = 0.digits * 10**n, digits the shortest that round-trip (repr's)."""
    mantissa, _, exp = repr(abs(float(x))).partition("e")
    whole, _, frac = mantissa.partition(".")
    d = whole + frac
    lead = len(d) - len(d.lstrip("0"))
    return d.strip("0"), len(whole) + (int(exp) if exp else 0) - lead


def _jcs_number(x):
    """ECMAScript Number.prototype.toString (RFC 8785 3.2.2.3)."""
    if isinstance(x, bool) or not math.isfinite(x):
        raise ValueError("not a JSON number: %r" % (x,))
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    digits, n = _digits(x)
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("-" if e < 0 else "+") + str(abs(e))


def jcs(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _jcs_string(value)
    if isinstance(value, (int, float)):
        return _jcs_number(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        # Sorted by UTF-16 code units, as RFC 8785 3.2.3 asks.
        names = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(_jcs_string(k) + ":" + jcs(value[k]) for k in names) + "}"
    raise ValueError("not a JSON value: %r" % (value,))


def _java_double(x):
    """Java's Double.toString, as Jackson wrote doubles in legacy events (shortest digits; Java 17
    prints a longer form for a few rare values, which this cannot know)."""
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    if not math.isfinite(x):
        raise ValueError("not a JSON number: %r" % (x,))
    sign = "-" if x < 0 else ""
    digits, n = _digits(x)
    k = len(digits)
    if 1e-3 <= abs(x) < 1e7:
        if n <= 0:
            return sign + "0." + "0" * (-n) + digits
        if n >= k:
            return sign + digits + "0" * (n - k) + ".0"
        return sign + digits[:n] + "." + digits[n:]
    return sign + digits[0] + "." + (digits[1:] or "0") + "E" + str(n - 1)


def _legacy_json(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, list):
        return "[" + ",".join(_legacy_json(v) for v in value) + "]"
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _legacy_json(value[k]) for k in sorted(value)) + "}"


def event_hash(data):
    """The hash an audit event's data should carry."""
    rest = {k: v for k, v in data.items() if k != "hash"}
    alg = data.get("hashAlg")
    if alg is None:
        return hashlib.sha256((str(data.get("prevHash")) + "\n" + _legacy_json(rest)).encode("utf-8")).hexdigest()
    if alg != HASH_ALG:
        raise ValueError("unknown hashAlg %r" % (alg,))
    return hashlib.sha256(jcs(rest).encode("utf-8")).hexdigest()


def read_events(lines):
    events = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        text = line.split("\t", 1)[1] if not line.lstrip().startswith("{") and "\t" in line else line
        try:
            event = json.loads(text)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            events.append({"data": None})  # a damaged record is a broken link, not something to skip
        elif event.get("type") in AUDIT_TYPES:
            events.append(event)
    return events


def model_of(event):
    """The model whose chain an event belongs to ("" for events that name none)."""
    data = event.get("data")
    model = data.get("model") if isinstance(data, dict) else None
    return model if isinstance(model, str) and model.strip() else ""


def verify(events):
    """Each model has its own chain (several may share one audit topic). None when every chain is
    intact, else (index, reason) of the first broken event, the index counted in topic order."""
    positions = {}
    for i, event in enumerate(events):
        positions.setdefault(model_of(event), []).append(i)
    first = None
    for at in positions.values():
        broken = verify_chain([events[i] for i in at])
        if broken is not None and (first is None or at[broken[0]] < first[0]):
            first = (at[broken[0]], broken[1])
    return first


def verify_chain(events):
    """None when intact, else (index, reason) of the first broken event."""
    prev = GENESIS
    for i, event in enumerate(events):
        data = event.get("data")
        if not isinstance(data, dict):
            return i, "not a JSON CloudEvent with a data object"
        if data.get("prevHash") != prev:
            return i, ("prevHash is not the chain's starting hash" if i == 0
                       else "prevHash does not link to the hash of event %d" % (i - 1))
        try:
            expected = event_hash(data)
        except ValueError as e:
            return i, "unreadable event: %s" % e
        if data.get("hash") != expected:
            return i, "hash does not match the event's content"
        prev = data["hash"]
    return None


def main(argv):
    if len(argv) != 2:
        print("usage: verify_audit_chain.py FILE|-", file=sys.stderr)
        return 2
    stream = sys.stdin if argv[1] == "-" else open(argv[1], encoding="utf-8")
    with stream:
        events = read_events(stream)
    broken = verify(events)
    if broken is None:
        head = events[-1]["data"]["hash"] if events else GENESIS
        models = {}
        for event in events:
            models[model_of(event)] = event["data"]["hash"]
        if len(models) > 1 or (len(models) == 1 and "" not in models):
            print("intact: %d events, head %s; %d chain(s): %s" % (len(events), head, len(models), ", ".join(
                "%s head %s" % ("model " + m if m else "(no model)", h) for m, h in models.items())))
        else:
            print("intact: %d events, head %s" % (len(events), head))
        return 0
    index, reason = broken
    print("broken at event %d of %d (request %s): %s"
          % (index, len(events), events[index].get("subject", "?"), reason))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
