#!/usr/bin/env bash
# CQL2 filter against the equivalent plain parameters under load, at 1 000 000 generated records
# (run by hand; figures go to BENCHMARKS.md). Each pair is run A/B, interleaved, twice, at 4
# connections for SECONDS (default 8); the server is pinned to core 0, wrk to core 1.
# Needs Debian's wrk. Usage: scripts/load/filter.sh [SECONDS] [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-8}
N=${2:-1000000}
LOG=/tmp/iskp-filter-server.log
# shellcheck source=serve-generated.sh
. scripts/load/serve-generated.sh
B="http://127.0.0.1:$PORT/api/collections/incidents/items"
run() {
  local n
  n=$(curl -s "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
  printf '%-44s matched %7s  ' "$1" "$n"
  wrk_line "$2"
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
