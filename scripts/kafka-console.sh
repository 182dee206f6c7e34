# Sourced by the scripts that drive Lethe from outside with Kafka's own console clients
# (console-client.sh, pytorch-model.sh). Needs WORK, JAR and BOOTSTRAP; defines produce and consume.
[ -f "$JAR" ] || ./mvnw -B -q package -DskipTests
if [ ! -f "$WORK/kafka-tools.classpath" ]; then
  ./mvnw -B -q -f scripts/kafka-tools/pom.xml dependency:build-classpath \
    -Dmdep.outputFile="$WORK/kafka-tools.classpath" >/dev/null
fi
KCP=$(cat "$WORK/kafka-tools.classpath")
produce() { # topic < key<TAB>value lines
  java -cp "$KCP" org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$BOOTSTRAP" --topic "$1" \
    --property parse.key=true --property "key.separator=	" --producer-property acks=all 2>/dev/null
}
consume() { # topic [print headers] -> key<TAB>value lines, committed records only, from the beginning
  java -cp "$KCP" org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$BOOTSTRAP" --topic "$1" \
    --from-beginning --timeout-ms 6000 --consumer-property isolation.level=read_committed \
    --property print.key=true --property print.headers="${2:-false}" 2>/dev/null || true
}
