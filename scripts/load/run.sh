#!/usr/bin/env bash
# Load and soak test on loopback, bounded in time (run by hand; figures go to BENCHMARKS.md):
#   1. 1 000 concurrent connections for 60 s over a mix of API requests: must finish with no error.
#   2. a soak: 50 connections for SOAK_SECONDS (default 600), resident memory sampled every 10 s.
# Needs Debian's wrk. Usage: scripts/load/run.sh [SOAK_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SOAK=${1:-600}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
cargo build --release --locked -q
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./target/release/iskp-map serve --addr "127.0.0.1:$PORT" --max-in-flight 4096 >/tmp/iskp-load-server.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' /proc/$PID/status; }
echo "server pid $PID on 127.0.0.1:$PORT, RSS $(rss) kB"

echo "== 1 000 connections, 60 s"
taskset -c 1 wrk -t2 -c1000 -d60s --timeout 10s -s scripts/load/urls.lua "http://127.0.0.1:$PORT" | tee /tmp/iskp-load.txt
echo "RSS after load: $(rss) kB"

echo "== soak: 50 connections, ${SOAK} s"
wrk -t1 -c50 -d"${SOAK}s" --timeout 10s -s scripts/load/urls.lua "http://127.0.0.1:$PORT" > /tmp/iskp-soak.txt &
WRK=$!
: > /tmp/iskp-soak-rss.txt
while kill -0 $WRK 2>/dev/null; do echo "$(date +%s) $(rss)" >> /tmp/iskp-soak-rss.txt; sleep 10; done
cat /tmp/iskp-soak.txt
awk 'NR==1{first=$2;min=$2;max=$2} {if($2<min)min=$2; if($2>max)max=$2; last=$2} END {printf "soak RSS kB: first %d, min %d, max %d, last %d, samples %d\n", first, min, max, last, NR}' /tmp/iskp-soak-rss.txt
