#!/usr/bin/env bash
# Lethe seen from outside, with Kafka's own console clients and nothing but the event contracts:
#
#   1. `lethe train` plays the training pipeline: a trained model, and its samples as
#      lethe.samples records (key<TAB>JSON lines);
#   2. `lethe serve --embedded-kafka` starts the daemon on a real in-process KRaft broker;
#   3. kafka-console-producer publishes the samples, then 50 deletion requests for 20 subjects —
#      some resent, some for subjects with no samples, some malformed;
#   4. kafka-console-consumer (read_committed) reads lethe.audit, the DLQ, lethe.model-versions and
#      the tombstones on lethe.samples; curl reads /q/metrics;
#   5. the daemon is killed with SIGKILL and started again; resent and new requests (one through
#      POST /deletion-requests) show that nothing is lost and no erasure repeats.
#
# Every check prints PASS/FAIL; the script exits non-zero on any FAIL.
# Usage: scripts/console-client.sh   (env: WORK, KAFKA_PORT=9092, HTTP_PORT=8080, EPOCHS=60)
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=${WORK:-$(mktemp -d /tmp/lethe-console.XXXXXX)}
KAFKA_PORT=${KAFKA_PORT:-9092}
HTTP_PORT=${HTTP_PORT:-8080}
EPOCHS=${EPOCHS:-60}
BOOTSTRAP=127.0.0.1:$KAFKA_PORT
JAR=target/quarkus-app/quarkus-run.jar
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd) # absolute: Maven resolves -Dmdep.outputFile against scripts/kafka-tools
echo "== work directory: $WORK"

. scripts/kafka-console.sh

echo "== 1. the training pipeline: model and samples"
if [ ! -f "$WORK/model.lethe" ]; then
  java -jar "$JAR" train --out "$WORK/model.lethe" --samples-out "$WORK/samples.tsv" --epochs "$EPOCHS" 2>"$WORK/train.log"
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$KAFKA_PORT" "$HTTP_PORT"; do
  port_free "$p" || { echo "port $p is in use: set KAFKA_PORT / HTTP_PORT"; exit 1; }
done

LETHE_PID=
start_lethe() {
  LETHE_DATA_DIR="$WORK/lethe" LETHE_MODEL_INITIAL_PATH="$WORK/model.lethe" LETHE_BATCH_LINGER=5s \
  LETHE_AUDIT_HMAC_SECRET="console-client-demo-secret-0123456789" QUARKUS_HTTP_PORT="$HTTP_PORT" \
    java -jar "$JAR" serve --embedded-kafka --kafka-port "$KAFKA_PORT" >>"$WORK/lethe.log" 2>&1 &
  LETHE_PID=$!
  for _ in $(seq 1 180); do
    kill -0 "$LETHE_PID" 2>/dev/null || { echo "lethe exited; see $WORK/lethe.log"; exit 1; }
    if curl -sf "http://localhost:$HTTP_PORT/q/health/ready" >/dev/null; then echo "   ready (pid $LETHE_PID)"; return; fi
    sleep 1
  done
  echo "lethe not ready after 180 s; see $WORK/lethe.log"; exit 1
}
trap '[ -n "$LETHE_PID" ] && kill "$LETHE_PID" 2>/dev/null || true' EXIT

echo "== 2. lethe serve --embedded-kafka"
start_lethe

echo "== 3. samples and 50 deletion requests through kafka-console-producer"
produce lethe.samples < "$WORK/samples.tsv"
python3 scripts/console_requests.py plan "$WORK" > "$WORK/requests.tsv"
produce lethe.deletion-requests < "$WORK/requests.tsv"
echo "   $(wc -l < "$WORK/samples.tsv") sample records, $(wc -l < "$WORK/requests.tsv") request records"

echo "== 4. waiting for one terminal audit event per valid request"
for _ in $(seq 1 60); do
  consume lethe.audit > "$WORK/audit.tsv"
  python3 scripts/console_requests.py done "$WORK" && break
  sleep 10
done
consume lethe.deletion-requests.dlq true > "$WORK/dlq.tsv"
consume lethe.model-versions > "$WORK/versions.tsv"
consume lethe.samples > "$WORK/samples-topic.tsv"
curl -s "http://localhost:$HTTP_PORT/q/metrics" > "$WORK/metrics.txt"
python3 scripts/console_requests.py check "$WORK" first

echo "== 5. kill -9 and restart; resend finished requests and send new ones"
kill -9 "$LETHE_PID"; wait "$LETHE_PID" 2>/dev/null || true
start_lethe
python3 scripts/console_requests.py replay "$WORK" > "$WORK/requests-2.tsv"
produce lethe.deletion-requests < "$WORK/requests-2.tsv"
echo "   one more request through the REST API:"
curl -s -X POST -H 'Content-Type: application/json' --data "$(python3 scripts/console_requests.py rest-body "$WORK")" \
  "http://localhost:$HTTP_PORT/deletion-requests"; echo
for _ in $(seq 1 60); do
  consume lethe.audit > "$WORK/audit.tsv"
  python3 scripts/console_requests.py done "$WORK" && break
  sleep 10
done
consume lethe.deletion-requests.dlq true > "$WORK/dlq.tsv"
consume lethe.model-versions > "$WORK/versions.tsv"
consume lethe.samples > "$WORK/samples-topic.tsv"
curl -s "http://localhost:$HTTP_PORT/q/metrics" > "$WORK/metrics.txt"
echo "   GET /deletion-requests/cc-102: $(curl -s "http://localhost:$HTTP_PORT/deletion-requests/cc-102")"
echo "   GET /models/current: $(curl -s "http://localhost:$HTTP_PORT/models/current" | cut -c1-300)"
python3 scripts/console_requests.py check "$WORK" after-restart
