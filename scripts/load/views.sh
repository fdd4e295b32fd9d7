#!/usr/bin/env bash
# What the page asks at its first view over 1 000 000 generated records, and the world-wide
# answers under load, for two builds A/B interleaved (run by hand; figures go to BENCHMARKS.md).
#   scripts/load/views.sh BIN_A [SECONDS] [RECORDS]
# BIN_A is an older build of iskp-map (e.g. one made from an earlier commit); B is this tree's
# release build. Each round starts A then B on core 0 (wrk on core 1) and measures:
#   first view  every answer of the page's first view (world, zoom 3, "all time") asked once, in
#               sequence, on a fresh server: the sum of their times (what nothing is kept for yet);
#   repeated    the world clusters and whole-range statistics under wrk (4 connections, SECONDS);
#   boxes       clusters of random boxes at zoom 3-6 under wrk (scripts/load/boxes.lua): no two alike.
set -euo pipefail
cd "$(dirname "$0")/../.."
A=$(realpath "$1")
SECS=${2:-5}
N=${3:-1000000}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --locked -q
B=$(realpath target/release/iskp-map)
DATA=/tmp/iskp-generated-$N
[ -f "$DATA/records.csv" ] || "$B" generate --count "$N" --seed 19 --out "$DATA" --data geodata
T='datetime=2015-01-01%2F2024-12-31'
BOX='bbox=-73.6172%2C-71.1651%2C153.7734%2C90.0000'
first_view() {
  # $1: "kinds" (six per-kind statistics, as the page asked before) or "bykind" (one answer).
  local urls=(
    "/api/collections/countries/items?limit=1000"
    "/api/stats?by=country" "/api/stats?period=month" "/api/stats?period=month&country=AFG"
    "/api/stats?by=country&$T" "/api/stats?by=country&geo_precision=country&$T"
    "/api/stats?by=province&geo_precision=province&$T"
    "/api/collections/incidents/items?geo_precision=region&limit=3000&$T"
    "/api/collections/incidents/items?geo_precision=multinational&limit=3000&$T"
    "/api/collections/incidents/clusters?$BOX&zoom=3&$T"
    "/api/collections/incidents/items?$BOX&$T&offset=800000&limit=50"
  )
  if [ "$1" = kinds ]; then
    for k in attack plot arrest designation raid presence; do urls+=("/api/stats?by=country&$BOX&kind=$k&$T"); done
  else
    urls+=("/api/stats?by=kind&$BOX&$T")
  fi
  local total=0 t
  for u in "${urls[@]}"; do
    t=$(curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{time_total}' "http://127.0.0.1:$PORT$u")
    total=$(python3 -c "print($total + $t)")
  done
  printf '  first view: %d answers in %.0f ms (sum, in sequence)\n' "${#urls[@]}" "$(python3 -c "print($total * 1000)")"
}
wrk_line() {
  taskset -c 1 wrk -t1 -c4 -d"${SECS}s" --latency "$2" | awk -v l="$1" '/Non-2xx/ {bad=$5} /Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {printf "  %-28s %10s req/s  p99 %8s  non-2xx %d\n", l, rps, p99, bad}'
}
run() {
  local name=$1 bin=$2 mode=$3
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  taskset -c 0 "$bin" serve --addr "127.0.0.1:$PORT" --data "$DATA" --cache "/tmp/iskp-views-cache-$name" \
    --client-rate 0 --client-concurrency 0 >"/tmp/iskp-views-$name.log" 2>&1 &
  PID=$!
  for _ in $(seq 900); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
  echo "$name ($bin)"
  first_view "$mode"
  wrk_line "world clusters, zoom 3" "http://127.0.0.1:$PORT/api/collections/incidents/clusters?$BOX&zoom=3&$T"
  wrk_line "stats by country, all time" "http://127.0.0.1:$PORT/api/stats?by=country&$T"
  taskset -c 1 wrk -t1 -c4 -d"${SECS}s" -s scripts/load/boxes.lua "http://127.0.0.1:$PORT" \
    | awk '/^requests=/ {print "  clusters of random boxes     " $0}'
  kill "$PID"; wait "$PID" 2>/dev/null || true
}
for round in 1 2; do
  echo "== round $round"
  run A "$A" kinds
  run B "$B" bykind
done
