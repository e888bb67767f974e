#!/usr/bin/env bash
# The first minute of a fresh JVM with the broker inside it, as `./mlp-stream demo` and `serve` run: examples trained
# at each 10 s from the JVM's start, a fresh model and consumer group reading a backlog already in the embedded
# broker's data. README, "The first minutes of a fresh JVM".
#   src/bench/first-minute.sh LABEL [JVM flags...]
#   env: JAVA (default java), APP (default target/quarkus-app/quarkus-run.jar), DATA (mlp.data-dir holding the backlog)
# Fill the backlog once: ./mlp-stream serve (then, from another terminal) ./mlp-stream produce --repeat 150; stop it.
# Run from the directory the jar was built in (an AOT cache is tied to the jar's path). Ports 8080 and 9092 must be free.
set -euo pipefail
label=$1; shift
data=${DATA:-data}
start=$(date +%s%N)
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE MLP_DATA_DIR="$data" MLP_MODEL_NAME="first-$label" \
    MP_MESSAGING_INCOMING_IMAGES_GROUP_ID="first-$label" \
    "${JAVA:-java}" "$@" -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED -jar "${APP:-target/quarkus-app/quarkus-run.jar}" serve \
    > "first-minute-$label.log" 2>&1 &
pid=$!
line="$label:"
for t in 10 20 30 40 50 60 70 80 90; do
  while (( ($(date +%s%N) - start) / 1000000 < t * 1000 )); do sleep 0.2; done
  n=$(curl -s localhost:8080/q/metrics | grep '^mlp_examples_trained{' | sed 's/.* //; s/\.0$//' || true)
  line="$line ${n:-0}"
done
kill "$pid"
wait "$pid" 2>/dev/null || true
echo "$line"
