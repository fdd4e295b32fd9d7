#!/usr/bin/env bash
# Starts with --cache at 1 000 000 generated records, two builds A/B interleaved, server on core 0
# (run by hand; figures in BENCHMARKS.md): each build first writes its own image (the key holds a
# hash of the program), then ROUNDS warm starts (from the image) and ROUNDS cold ones (an empty cache
# directory each time). Prints the ready time and the peak resident memory of each. CORES (default 0)
# is the server's taskset list: CORES=0,1 for both cores.
#   scripts/load/cache_start.sh BIN_A [ROUNDS] [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
A=$(realpath "$1")
ROUNDS=${2:-4}
N=${3:-1000000}
CORES=${CORES:-0}
cargo build --release --locked -q --bin iskp-map
B=$(realpath target/release/iskp-map)
DATA=/tmp/iskp-generated-$N
[ -f "$DATA/records.csv" ] || "$B" generate --count "$N" --seed 19 --out "$DATA" --data geodata
WORK=$(mktemp -d /tmp/iskp-cache-start.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PID=
start() { # BIN CACHE_DIR: starts the server, waits until ready, prints the seconds it took
  local port t0 t1
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  t0=$(date +%s.%N)
  taskset -c "$CORES" "$1" serve --addr "127.0.0.1:$port" --data "$DATA" --cache "$2" \
    --client-rate 0 --client-concurrency 0 >"$WORK/log" 2>&1 &
  PID=$!
  for _ in $(seq 1200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
  t1=$(date +%s.%N)
  READY=$(echo "$t1 - $t0" | bc)
}
stop() { kill -INT "$PID"; wait "$PID" 2>/dev/null || true; }
peak() { awk '$1 == "VmHWM:" {print int($2 / 1024)}' "/proc/$PID/status"; }
for side in A B; do
  bin=$A; [ $side = B ] && bin=$B
  mkdir -p "$WORK/$side"
  start "$bin" "$WORK/$side"
  for _ in $(seq 600); do ls "$WORK/$side"/*.catalog >/dev/null 2>&1 && break; sleep 0.2; done
  sleep 1; stop
  echo "$side image: $(ls "$WORK/$side")"
done
for kind in warm cold; do
  for round in $(seq 1 "$ROUNDS"); do
    for side in A B; do
      bin=$A; [ $side = B ] && bin=$B
      dir=$WORK/$side
      if [ $kind = cold ]; then dir=$WORK/cold; rm -rf "$dir"; mkdir -p "$dir"; fi
      start "$bin" "$dir"
      printf '%s round %s %s: ready %.2f s, peak %d MB\n' "$kind" "$round" "$side" "$READY" "$(peak)"
      stop; sleep 1
    done
  done
done
