#!/usr/bin/env bash
# Vector tiles under load at 1 000 000 generated records (run by hand; figures go to BENCHMARKS.md).
# One wrk run per URL, interleaved with a 100-feature items page as the reference, each bounded to
# SECONDS (default 10) at 4 connections. The server is pinned to core 0, wrk to core 1.
# Needs Debian's wrk. Usage: scripts/load/tiles.sh [SECONDS] [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-10}
N=${2:-1000000}
LOG=/tmp/iskp-tiles-server.log
# shellcheck source=serve-generated.sh
. scripts/load/serve-generated.sh
B="http://127.0.0.1:$PORT/api/collections"
run() {
  local size
  size=$(curl -s -o /dev/null -w '%{size_download}' "$2")
  printf '%-34s %8s B  ' "$1" "$size"
  wrk_line "$2"
}
for round in 1 2; do
  echo "== round $round"
  run "items, 100 in a bbox (reference)" "$B/incidents/items?bbox=60,29,75,39&limit=100"
  run "incidents tile z3 (Afghanistan)" "$B/incidents/tiles/WebMercatorQuad/3/3/5"
  run "incidents tile z10 (Kabul)" "$B/incidents/tiles/WebMercatorQuad/10/407/708"
  run "attacks tile z3, claimed, 2022" "$B/attacks/tiles/WebMercatorQuad/3/3/5?claim=claimed&datetime=2022-01-01/2022-12-31"
  run "incidents tile z0 (world)" "$B/incidents/tiles/WebMercatorQuad/0/0/0"
  run "countries tile z3 (cached)" "$B/countries/tiles/WebMercatorQuad/3/3/5"
  run "provinces tile z5 (cached)" "$B/provinces/tiles/WebMercatorQuad/5/12/22"
done
