#!/usr/bin/env bash
# Latency of POST /api/predict at a constant request rate while the service trains, measured with wrk
# (apt-get install wrk). It starts `./mlp-stream serve` (embedded Kafka) on a fresh data directory, keeps
# a producer streaming the bundled digits into it at TRAIN_RATE events/s (0 = as fast as it can take
# them), warms up for WARMUP (180) s, then prints wrk's numbers for DURATION seconds, how much was trained
# meanwhile and how busy the JIT still was. The warm-up is long because on two cores the JIT's one C2
# thread needs about 100 s to compile the service's hot code (Quarkus, Kafka clients and broker, Kafka
# Streams, Jackson: some 20,000 methods); after a 30 s warm-up, the p99 measured the compiler, not the service.
#   src/bench/predict-latency.sh                  RATE=200 TRAIN_RATE=200 DURATION=60 WARMUP=180 by default
#   SINCE_START=20 src/bench/predict-latency.sh   measures from 20 s after the service's start, not after readiness
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE=${RATE:-200} TRAIN_RATE=${TRAIN_RATE:-200} DURATION=${DURATION:-60} WARMUP=${WARMUP:-180}
PORT=${PORT:-8090} KAFKA_PORT=${KAFKA_PORT:-19092}
command -v wrk > /dev/null || { echo "predict-latency: needs wrk (apt-get install wrk)" >&2; exit 2; }
./mlp-stream help > /dev/null # builds the app when needed, before anything is timed

DATA=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT
started=$(date +%s%N)
MLP_DATA_DIR=$DATA MLP_EMBEDDED_KAFKA_PORT=$KAFKA_PORT QUARKUS_HTTP_PORT=$PORT \
  ./mlp-stream serve > "$DATA/service.log" 2>&1 &
service=$!
pids+=($service)
for _ in $(seq 120); do
  curl -sf "localhost:$PORT/q/health/ready" > /dev/null && break
  sleep 1
done
curl -sf "localhost:$PORT/q/health/ready" > /dev/null || { tail -20 "$DATA/service.log"; exit 1; }

./mlp-stream produce --bootstrap "localhost:$KAFKA_PORT" --rate "$TRAIN_RATE" --repeat 100 > /dev/null 2>&1 &
pids+=($!)
trained() { curl -s "localhost:$PORT/api/model" | sed 's/.*"examplesTrained":\([0-9]*\).*/\1/'; }

since_start() { echo $(( ($(date +%s%N) - started) / 1000000000 )); }
echo "ready $(since_start) s after the service's start"
[[ -n ${SINCE_START:-} ]] && WARMUP=$(( SINCE_START - $(since_start) )) && (( WARMUP < 1 )) && WARMUP=1
echo "warm-up: $WARMUP s at $RATE requests/s while training"
wrk -t1 -c8 -d"${WARMUP}s" -s src/bench/wrk/predict.lua "http://localhost:$PORT/api/predict" -- "$RATE" src/bench/wrk/digit.json > /dev/null
jit() { jstat -compiler "$service" 2> /dev/null | awk 'NR == 2 { print $1, $4 }'; }
read -r compiled_before jit_before <<< "$(jit)"
before=$(trained)
echo "measure, from $(since_start) s after the service's start: $DURATION s at $RATE requests/s, producer at $TRAIN_RATE events/s (0 = unthrottled)"
wrk -t1 -c8 -d"${DURATION}s" --latency -s src/bench/wrk/predict.lua "http://localhost:$PORT/api/predict" -- "$RATE" \
  src/bench/wrk/digit.json
after=$(trained)
echo "trained meanwhile: $((after - before)) examples ($(( (after - before) / DURATION )) examples/s)"
read -r compiled_after jit_after <<< "$(jit)"
[[ -n ${compiled_before:-} && -n ${compiled_after:-} ]] &&
  echo "JIT meanwhile: $((compiled_after - compiled_before)) methods compiled, $(awk "BEGIN { print $jit_after - $jit_before }") s of compiler time"
