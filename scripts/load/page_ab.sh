#!/usr/bin/env bash
# The page over 1 000 000 generated records in Chromium, two versions of the page A/B interleaved
# (run by hand; figures go to BENCHMARKS.md):
#   scripts/load/page_ab.sh REV_A [ROUNDS] [RECORDS]
# A is the page (web/) of git revision REV_A, B this tree's; one release build of this tree serves
# both (ISKP_MAP_WEB picks the page). Each round runs web/tests/scale.test.mjs once with A, then
# once with B, each on a fresh server, and prints its line of figures: the first view, a pan and two
# zooms, each from the gesture to the drawn view; then a second reader's first view (a fresh
# browser on the same server, whose answers for that view are kept by then).
set -euo pipefail
cd "$(dirname "$0")/../.."
REV=$1
ROUNDS=${2:-3}
N=${3:-1000000}
cargo build --release --locked -q --bin iskp-map
DATA=/tmp/iskp-generated-$N
[ -f "$DATA/records.csv" ] || target/release/iskp-map generate --count "$N" --seed 19 --out "$DATA" --data geodata
[ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund)
OLD=$(mktemp -d /tmp/iskp-page-a.XXXXXX)
trap 'rm -rf "$OLD"' EXIT
git archive "$REV" web | tar -x -C "$OLD"
ln -s "$(pwd)/web/node_modules" "$OLD/web/node_modules"
for round in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    page=$(pwd)/web
    [ "$side" = A ] && page=$OLD/web
    line=$(ISKP_MAP_WEB=$page ISKP_MAP_BIN=target/release/iskp-map ISKP_SCALE_DATA=$DATA \
      timeout 600 node --test web/tests/scale.test.mjs 2>&1 | sed -n 's/.*# scale: //p' | paste -sd ';' -)
    [ -n "$line" ] || line=failed
    echo "round $round $side: $line"
  done
done
