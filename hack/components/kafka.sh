# Kafka (KRaft, single node) from Maven Central jars, run as our own JVM unless a
# healthy broker already answers on the port.
# shellcheck shell=bash
KAFKA_DEFAULT_PORT="${HEADWATER_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_DEFAULT_PORT="${HEADWATER_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HOME="$HEADWATER_CACHE/kafka-${KAFKA_VERSION}"

kafka_install() {
  [[ -f "$KAFKA_HOME/.complete" ]] && return 0
  command -v java >/dev/null || die "java (17+) is required for Kafka"
  # Checkouts of one machine share the cache: one download at a time.
  mkdir -p "$HEADWATER_CACHE"
  exec 8> "$HEADWATER_CACHE/.kafka.lock"; flock 8
  if [[ -f "$KAFKA_HOME/.complete" ]]; then exec 8>&-; return 0; fi
  command -v mvn >/dev/null || apt_install maven
  log "kafka: fetching Kafka ${KAFKA_VERSION} jars into $KAFKA_HOME/libs"
  local start=$SECONDS
  rm -rf "$KAFKA_HOME/libs"
  mkdir -p "$KAFKA_HOME"
  mvn -q -B -Dstyle.color=never -f "$HACK_DIR/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs" >&2
  [[ -f "$KAFKA_HOME/libs/kafka_2.13-${KAFKA_VERSION}.jar" ]] || die "kafka: jars missing after download"
  touch "$KAFKA_HOME/.complete"
  exec 8>&-
  log "kafka: jars fetched in $((SECONDS - start))s"
}

# Kafka ApiVersions v0 request (key 18, correlation id 7, client id "hw"); a broker
# that is serving requests answers with the same correlation id and error code 0.
kafka_healthy() {
  local reply
  reply="$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$(kafka_port) &&
    printf '\\x00\\x00\\x00\\x0c\\x00\\x12\\x00\\x00\\x00\\x00\\x00\\x07\\x00\\x02hw' >&3 &&
    head -c 10 <&3 | od -An -tx1" 2>/dev/null)" || return 1
  # shellcheck disable=SC2086 # word splitting collapses od's spacing
  set -- $reply
  [[ $# == 10 && "$5$6$7$8$9${10}" == 000000070000 ]]
}

# Sets KAFKA_JAVA to the java command line (an array, so spawn can run it).
kafka_java_cmd() {
  local d; d="$(state_dir kafka)"
  # -Xmx512m: the broker shares two cores and the machine with everything else.
  KAFKA_JAVA=(java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HACK_DIR/kafka/log4j2.xml" -Dkafka.logs.dir="$d" \
    -cp "$KAFKA_HOME/libs/*")
}
kafka_java() { kafka_java_cmd; "${KAFKA_JAVA[@]}" "$@"; }

kafka_start() {
  local d; d="$(state_dir kafka)"
  mkdir -p "$d/data"
  local port cport; port="$(kafka_port)"
  # The controller listener moves too when its port is taken (a restart keeps it).
  if [[ -n "${HEADWATER_KEEP_PORT:-}" && -f "$d/controller-port" ]]; then cport="$(cat "$d/controller-port")"
  else
    cport="$(free_port "$KAFKA_CONTROLLER_DEFAULT_PORT")"
    [[ "$cport" == "$port" ]] && cport="$(free_port $((port + 1)))"
    printf '%s' "$cport" > "$d/controller-port"
  fi
  sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$cport|g" -e "s|@LOG_DIR@|$d/data|g" \
    "$HACK_DIR/kafka/server.properties" > "$d/server.properties"
  if [[ ! -f "$d/data/meta.properties" ]]; then
    [[ -f "$d/cluster-id" ]] || kafka_java kafka.tools.StorageTool random-uuid 2>>"$d/log" | tail -n 1 > "$d/cluster-id"
    log "kafka: formatting storage (cluster id $(cat "$d/cluster-id"))"
    kafka_java kafka.tools.StorageTool format -t "$(cat "$d/cluster-id")" -c "$d/server.properties" >> "$d/log" 2>&1 \
      || { show_log_tail kafka; die "kafka: storage format failed"; }
  fi
  kafka_java_cmd
  spawn kafka "kafka.Kafka $d/server.properties" "${KAFKA_JAVA[@]}" kafka.Kafka "$d/server.properties"
}

kafka_brokers() { printf '127.0.0.1:%s' "$(kafka_port)"; }
kafka_port() { saved_port kafka "$KAFKA_DEFAULT_PORT"; }
