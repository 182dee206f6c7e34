#!/usr/bin/env bash
# Bring your own PyTorch model, end to end, with nothing but the documented contracts:
#
#   1. real PyTorch (Debian's python3-torch) trains a model Lethe has never seen — three
#      convolutions with BatchNorm and a dense head, embed/classify exported — and writes its
#      samples and one deletion request per forget subject (scripts/pytorch/train_fashion_bn.py);
#   2. `lethe serve --embedded-kafka` takes the .pt as it is (LETHE_MODEL_INITIAL_PATH), unlearning
#      only the head (LETHE_UNLEARNING_PARAMETERS='^head\.') at the learning rate `lethe bench --model`
#      chose for this architecture on its selection split (LR, default 3e-3);
#   3. Kafka's console producer sends the samples and the requests;
#   4. the new version is pulled over HTTP (GET /models/{version}/artifact, ETag = sha256) and
#      opened in PyTorch, which measures it on images Lethe never saw, next to Lethe's own figures;
#   5. the pipeline "retrains" from its snapshot of lethe.samples taken before the erasures (here:
#      the same training run, model.pt) and announces it on lethe.retrains; Lethe rebases onto it,
#      re-applying the erasures the snapshot still holds, and PyTorch opens and measures the new base.
#
# Usage: scripts/pytorch-model.sh   (env: WORK, KAFKA_PORT=9092, HTTP_PORT=8080, JAVA_OPTS, TRAIN_SIZE=2000,
#        FORGET_SIZE=200, EPOCHS=30, SEED=7, LR=3e-3, GATE=calibrated). Exits non-zero if a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=${WORK:-$(mktemp -d /tmp/lethe-pytorch.XXXXXX)}
KAFKA_PORT=${KAFKA_PORT:-9092}
HTTP_PORT=${HTTP_PORT:-8080}
BOOTSTRAP=127.0.0.1:$KAFKA_PORT
JAR=target/quarkus-app/quarkus-run.jar
PY=/usr/bin/python3
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd) # absolute: Maven resolves -Dmdep.outputFile against scripts/kafka-tools
echo "== work directory: $WORK"
"$PY" -c 'import torch' 2>/dev/null || { echo "needs Debian's PyTorch: apt-get install -y python3-torch"; exit 1; }

. scripts/kafka-console.sh

echo "== 1. the team's training pipeline, in PyTorch $("$PY" -c 'import torch; print(torch.__version__)')"
if [ ! -f "$WORK/model.pt" ]; then
  "$PY" scripts/pytorch/train_fashion_bn.py --out "$WORK" --samples --train-size "${TRAIN_SIZE:-2000}" \
    --forget-size "${FORGET_SIZE:-200}" --epochs "${EPOCHS:-30}" --seed "${SEED:-7}" 2>"$WORK/train.log" >/dev/null
fi
echo "   model.pt ($(stat -c %s "$WORK/model.pt") bytes), $(wc -l < "$WORK/samples.tsv") sample records," \
  "$(wc -l < "$WORK/requests.tsv") deletion requests"

echo "== 2. lethe serve --embedded-kafka with the TorchScript file as it is"
LETHE_DATA_DIR="$WORK/lethe" LETHE_MODEL_NAME=fashion-bn LETHE_MODEL_INITIAL_PATH="$WORK/model.pt" \
LETHE_UNLEARNING_PARAMETERS='^head\.' LETHE_UNLEARNING_LEARNING_RATE="${LR:-3e-3}" \
LETHE_VERIFY_GATE="${GATE:-calibrated}" LETHE_INGEST_HOLDOUT_SIZE=1000 LETHE_BATCH_LINGER=5s \
LETHE_AUDIT_HMAC_SECRET="pytorch-model-demo-secret-0123456789" QUARKUS_HTTP_PORT="$HTTP_PORT" \
  java ${JAVA_OPTS:-} -jar "$JAR" serve --embedded-kafka --kafka-port "$KAFKA_PORT" >>"$WORK/lethe.log" 2>&1 &
LETHE_PID=$!
trap 'kill "$LETHE_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 180); do
  kill -0 "$LETHE_PID" 2>/dev/null || { echo "lethe exited; see $WORK/lethe.log"; tail -5 "$WORK/lethe.log"; exit 1; }
  curl -sf "http://localhost:$HTTP_PORT/q/health/ready" >/dev/null && break
  sleep 1
done
grep -o 'model fashion-bn (torchscript.*path' "$WORK/lethe.log" | head -1 | sed 's/^/   /'

echo "== 3. samples and deletion requests through kafka-console-producer"
produce lethe.samples < "$WORK/samples.tsv"
# The training pipeline's snapshot: where lethe.samples ends before any erasure (step 5 retrains from it).
java -cp "$KCP" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$BOOTSTRAP" --topic lethe.samples \
  --time -1 2>/dev/null > "$WORK/snapshot.offsets"
produce lethe.deletion-requests < "$WORK/requests.tsv"
want=$(wc -l < "$WORK/requests.tsv")
for _ in $(seq 1 120); do
  done_count=$(consume lethe.audit | grep -Ec '"type":"dev.lethe.deletion.(completed|escalated)"' || true)
  [ "$done_count" -ge "$want" ] && break
  sleep 5
done
consume lethe.audit > "$WORK/audit.jsonl"
completed=$(grep -c '"type":"dev.lethe.deletion.completed"' "$WORK/audit.jsonl" || true)
escalated=$(grep -c '"type":"dev.lethe.deletion.escalated"' "$WORK/audit.jsonl" || true)
echo "   $completed completed, $escalated escalated of $want requests"

echo "== 4. the new version, pulled over HTTP and opened in PyTorch"
curl -sf "http://localhost:$HTTP_PORT/models/current" > "$WORK/current.json"
version=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$WORK/current.json")
curl -sf -D "$WORK/artifact.headers" -o "$WORK/v$version.pt" "http://localhost:$HTTP_PORT/models/$version/artifact"
etag=$(grep -i '^etag:' "$WORK/artifact.headers" | tr -d '"\r' | awk '{print $2}')
sha=$(sha256sum "$WORK/v$version.pt" | awk '{print $1}')
"$PY" scripts/pytorch/check_version.py --original "$WORK/model.pt" --version "$WORK/v$version.pt" \
  --split "$WORK/split.json" > "$WORK/check.json"
"$PY" - "$WORK/current.json" "$WORK/check.json" "$etag" "$sha" <<'PYEOF'
import json, sys
event, check, etag, sha = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], sys.argv[4]
o, v, m = check["original"], check["version"], event["metrics"]
print(f"   version {event['version']} ({event['format']}, {event['sizeBytes']} bytes), "
      f"unlearning {event['unlearning']['method']} on {event['unlearning']['parameterPattern']} "
      f"({event['unlearning']['path']}): changed {event['unlearning']['changedTensors']}")
print(f"   | measured by | model | forget acc | forget loss | holdout acc | holdout loss |")
print(f"   |---|---|---:|---:|---:|---:|")
print(f"   | PyTorch {check['torch']}, {check['forgetSize']} forget / {check['holdoutSize']} unseen images | original | "
      f"{o['forget']['accuracy']:.3f} | {o['forget']['meanLoss']:.4f} | {o['holdout']['accuracy']:.3f} | {o['holdout']['meanLoss']:.4f} |")
print(f"   | PyTorch, same images | v{event['version']} | {v['forget']['accuracy']:.3f} | {v['forget']['meanLoss']:.4f} | "
      f"{v['holdout']['accuracy']:.3f} | {v['holdout']['meanLoss']:.4f} |")
print(f"   | Lethe's gate (its verification holdout) | v{event['version']} | {m['forgetAcc']:.3f} | – | {m['holdoutAcc']:.3f} | – |"
      f"  (attack AUC {m['miaAucBefore']:.3f} → {m['miaAuc']:.3f})")
checks = {
    "the artifact's sha256 is its ETag and its event's": etag == sha == event["sha256"],
    "PyTorch opens it, in eval mode": check["training"] is False,
    "only head.* tensors changed": bool(check["changedParameters"]) and all(n.startswith("head.") for n in check["changedParameters"]),
    "every other tensor and every buffer bit-identical": check["buffersIdentical"] and check["sameParameterNames"]
        and all(n.startswith("head.") for n in check["changedParameters"])
        and any(n.startswith("body.") for n in check["identicalParameters"]),
    "embed/classify still callable": check["embedClassifyCallable"],
    "forget loss >= 0.1 x holdout loss": v["forget"]["meanLoss"] >= 0.1 * v["holdout"]["meanLoss"],
    "forget acc <= holdout acc + 0.08": v["forget"]["accuracy"] <= v["holdout"]["accuracy"] + 0.08,
    "holdout acc within 0.03 of the original's": abs(v["holdout"]["accuracy"] - o["holdout"]["accuracy"]) <= 0.03,
}
for name, ok in checks.items():
    print(f"   {'PASS' if ok else 'FAIL'} {name}")
sys.exit(0 if all(checks.values()) else 1)
PYEOF

echo "== 5. a retrain from the snapshot before the erasures, announced on lethe.retrains; Lethe rebases"
"$PY" - "$WORK/snapshot.offsets" "$WORK/model.pt" "$(sha256sum "$WORK/model.pt" | awk '{print $1}')" \
  > "$WORK/retrain.json" <<'PYEOF'
import json, sys
position = {}
for line in open(sys.argv[1]):  # lethe.samples:<partition>:<end offset>
    topic, partition, offset = line.strip().rsplit(":", 2)
    position[partition] = int(offset)
print(json.dumps({"specversion": "1.0", "id": "retrain-from-snapshot-1", "source": "urn:training-pipeline",
                  "type": "dev.lethe.model.retrained", "time": "2026-12-02T06:00:00Z",
                  "data": {"model": "fashion-bn", "artifactUri": "file://" + sys.argv[2], "sha256": sys.argv[3],
                           "format": "torchscript", "samplesPosition": position}}))
PYEOF
printf 'fashion-bn\t%s\n' "$(cat "$WORK/retrain.json")" | produce lethe.retrains
for _ in $(seq 1 60); do
  consume lethe.audit | grep -Eq '"type":"dev.lethe.model.(rebased|rebase.refused)"' && break
  sleep 3
done
consume lethe.audit > "$WORK/audit-after-rebase.jsonl"
curl -sf "http://localhost:$HTTP_PORT/models/current" > "$WORK/rebased.json"
rebased=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$WORK/rebased.json")
curl -sf -o "$WORK/v$rebased.pt" "http://localhost:$HTTP_PORT/models/$rebased/artifact"
"$PY" scripts/pytorch/check_version.py --original "$WORK/model.pt" --version "$WORK/v$rebased.pt" \
  --split "$WORK/split.json" > "$WORK/check-rebased.json"
"$PY" - "$WORK/rebased.json" "$WORK/check-rebased.json" "$WORK/audit-after-rebase.jsonl" "$WORK/model.pt" <<'PYEOF'
import hashlib, json, sys
event, check = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
audit = [json.loads(l.split("\t", 1)[1]) for l in open(sys.argv[3]) if "\t" in l]
completed = {e["data"]["requestId"] for e in audit if e["type"] == "dev.lethe.deletion.completed"
             and e["data"]["samplesForgotten"] > 0}
outcome = [e for e in audit if e["type"] in ("dev.lethe.model.rebased", "dev.lethe.model.rebase.refused")]
retrain_sha = hashlib.sha256(open(sys.argv[4], "rb").read()).hexdigest()
o, v = check["original"], check["version"]
for e in outcome:
    print(f"   audit {e['type']}: {e['data']['reason']}")
print(f"   version {event['version']}: parentVersion {event['parentVersion']}, rebase {event.get('rebase')}, "
      f"{len(event['requestIds'])} erasures re-applied ({event['samplesForgotten']} samples)")
print(f"   | PyTorch, same images | retrain (= original) | {o['forget']['accuracy']:.3f} | {o['holdout']['accuracy']:.3f} |")
print(f"   | PyTorch, same images | v{event['version']} (rebased) | {v['forget']['accuracy']:.3f} | {v['holdout']['accuracy']:.3f} |")
checks = {
    "the retrain is adopted as a new base (no parent, rebase names it)": len(outcome) == 1
        and outcome[0]["type"] == "dev.lethe.model.rebased" and event["parentVersion"] is None
        and (event.get("rebase") or {}).get("retrainId") == "retrain-from-snapshot-1",
    "every completed erasure re-applied to it": set(event["requestIds"]) == completed and len(completed) > 0,
    "not the retrain as it came (unlearned)": event["sha256"] != retrain_sha,
    "PyTorch opens the rebased version": check["training"] is False and check["embedClassifyCallable"],
    "rebased: forget acc <= holdout acc + 0.08": v["forget"]["accuracy"] <= v["holdout"]["accuracy"] + 0.08,
    "rebased: holdout acc within 0.03 of the retrain's": abs(v["holdout"]["accuracy"] - o["holdout"]["accuracy"]) <= 0.03,
}
for name, ok in checks.items():
    print(f"   {'PASS' if ok else 'FAIL'} {name}")
sys.exit(0 if all(checks.values()) else 1)
PYEOF
