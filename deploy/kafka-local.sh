#!/usr/bin/env bash
# A single-node KRaft Kafka broker without Docker and without a Kafka download: the broker's jars
# come from Maven Central through scripts/kafka-tools/pom.xml (kafka_2.13 4.1.2, the version of
# Lethe's kafka-clients). Runs in the foreground; Ctrl-C stops it. Data survives restarts.
#
#   deploy/kafka-local.sh                      # broker on localhost:9092
#   KAFKA_PORT=19092 KAFKA_DIR=/tmp/k deploy/kafka-local.sh
#
# Then, in another shell, point Lethe at it (Lethe creates its topics on start):
#
#   export DJL_OFFLINE=true OPT_OUT_TRACKING=true
#   java -jar target/quarkus-app/quarkus-run.jar train --out model.lethe --samples-out samples.tsv
#   LETHE_KAFKA_BOOTSTRAP_SERVERS=localhost:9092 LETHE_MODEL_INITIAL_PATH=model.lethe \
#     java -jar target/quarkus-app/quarkus-run.jar serve
#
# (`lethe serve --embedded-kafka` runs the same kind of broker inside the daemon's JVM instead.)
set -euo pipefail
cd "$(dirname "$0")/.."

KAFKA_PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
KAFKA_DIR=${KAFKA_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/lethe-kafka}
HEAP=${KAFKA_HEAP:-512m}
mkdir -p "$KAFKA_DIR"

classpath="$KAFKA_DIR/kafka.classpath"
if [ ! -s "$classpath" ] || [ scripts/kafka-tools/pom.xml -nt "$classpath" ]; then
  echo "[kafka-local] resolving the broker's jars with Maven (once)" >&2
  ./mvnw -B -q -f scripts/kafka-tools/pom.xml dependency:build-classpath -Dmdep.outputFile="$classpath" >&2
fi
CP=$(cat "$classpath")

props="$KAFKA_DIR/server.properties"
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/logs
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS

if [ ! -f "$KAFKA_DIR/logs/meta.properties" ]; then
  echo "[kafka-local] formatting $KAFKA_DIR/logs" >&2
  java -cp "$CP" kafka.tools.StorageTool format --config "$props" \
    --cluster-id "$(java -cp "$CP" kafka.tools.StorageTool random-uuid)" >&2
fi

echo "[kafka-local] broker on 127.0.0.1:$KAFKA_PORT (data in $KAFKA_DIR); point Lethe at it with" >&2
echo "[kafka-local]   LETHE_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT java -jar target/quarkus-app/quarkus-run.jar serve" >&2
exec java -Xms"$HEAP" -Xmx"$HEAP" -cp "$CP" kafka.Kafka "$props"
