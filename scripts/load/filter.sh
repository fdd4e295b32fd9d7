#!/usr/bin/env bash
# CQL2 filter against the equivalent plain parameters under load, at 1 000 000 generated records
# (run by hand; figures go to BENCHMARKS.md). Each pair is run A/B, interleaved, twice, at 4
# connections for SECONDS (default 8); the server is pinned to core 0, wrk to core 1.
# Needs Debian's wrk. Usage: scripts/load/filter.sh [SECONDS] [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-8}
N=${2:-1000000}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --locked -q
DATA=/tmp/iskp-tiles-$N
[ -f "$DATA/records.csv" ] || ./target/release/iskp-map generate --count "$N" --seed 19 --out "$DATA" --data geodata
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c 0 ./target/release/iskp-map serve --addr "127.0.0.1:$PORT" --data "$DATA" --client-rate 0 --client-concurrency 0 >/tmp/iskp-filter-server.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
B="http://127.0.0.1:$PORT/api/collections/incidents/items"
run() {
  local n
  n=$(curl -s "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
  printf '%-44s matched %7s  ' "$1" "$n"
  taskset -c 1 wrk -t1 -c4 -d"${SECS}s" --latency "$2" | awk '/Non-2xx/ {bad=$5} /Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%10s req/s  p50 %8s  p99 %8s  non-2xx %d\n", rps, p50, p99, bad}'
}
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
for round in 1 2; do
  echo "== round $round"
  run "plain: bbox + kind=attack" "$B?bbox=60,29,75,39&kind=attack&limit=100"
  run "cql2: S_INTERSECTS(bbox) AND kind='attack'" "$B?limit=100&filter=$(enc "S_INTERSECTS(geometry, BBOX(60,29,75,39)) AND kind='attack'")"
  run "plain: kind=plot&claim=claimed" "$B?kind=plot&claim=claimed&limit=100"
  run "cql2: kind='plot' AND claim='claimed'" "$B?limit=100&filter=$(enc "kind='plot' AND claim='claimed'")"
  run "plain: country=AFG, 2022" "$B?country=AFG&datetime=2022-01-01/2022-12-31&limit=100"
  run "cql2: country='AFG' AND T_INTERSECTS(2022)" "$B?limit=100&filter=$(enc "country='AFG' AND T_INTERSECTS(datetime, INTERVAL('2022-01-01','2022-12-31'))")"
done
