#!/usr/bin/env bash
# Random datetime windows over the world at 1 000 000 generated records (scripts/load/windows.lua),
# items and stats, for two builds A/B interleaved (run by hand; figures go to BENCHMARKS.md).
#   scripts/load/windows.sh BIN_A [SECONDS] [RECORDS]
# BIN_A is an older build; B is this tree's release build (or BIN_B, built already). Server on
# core 0, wrk on core 1, 4 connections.
set -euo pipefail
cd "$(dirname "$0")/../.."
A=$(realpath "$1")
SECS=${2:-5}
N=${3:-1000000}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
if [ -n "${BIN_B:-}" ]; then
  B=$(realpath "$BIN_B")
else
  cargo build --release --locked -q
  B=$(realpath target/release/iskp-map)
fi
DATA=/tmp/iskp-generated-$N
[ -f "$DATA/records.csv" ] || "$B" generate --count "$N" --seed 19 --out "$DATA" --data geodata
run() {
  local name=$1 bin=$2 port pid
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  taskset -c 0 "$bin" serve --addr "127.0.0.1:$port" --data "$DATA" --cache "/tmp/iskp-windows-cache-$name" \
    --client-rate 0 --client-concurrency 0 >"/tmp/iskp-windows-$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 900); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  for what in items stats; do
    WINDOWS_PATH=$what taskset -c 1 wrk -t1 -c4 -d"${SECS}s" -s scripts/load/windows.lua "http://127.0.0.1:$port" \
      | awk -v l="$name $what" '/^requests=/ {printf "  %-10s %s\n", l, $0}'
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for round in 1 2; do
  echo "== round $round"
  run A "$A"
  run B "$B"
done
rm -rf /tmp/iskp-windows-cache-A /tmp/iskp-windows-cache-B
