#!/usr/bin/env bash
# iskp-map against pygeoapi and tipg on the same records (issue 7). Run by hand, not by CI; takes
# about 35 minutes and needs root (apt) or the packages below already installed.
#   scripts/bench/run.sh [--count N] [--seconds S] [--queries Q] [--skip-10x] [--skip-team] [--work DIR]
# The report is printed and written to WORK/report.md (default /tmp/iskp-bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
for p in wrk postgresql-15 postgresql-15-postgis-3 python3-venv; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
# Absolute: the servers are started through taskset, from other directories.
VENV=$(realpath -m "${BENCH_VENV:-target/bench-venv}")
if [ ! -x "$VENV/bin/tipg" ] && [ ! -x "$VENV/bin/uvicorn" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q -r scripts/bench/requirements.txt
cargo build --release --locked -q --bin iskp-map --example hello
exec "$VENV/bin/python" scripts/bench/compare.py --venv "$VENV" "$@"
