#!/usr/bin/env bash
# The trivial route against a bare axum hello-world, for two builds A/B interleaved (issue 20's
# ceiling; run by hand, figures in BENCHMARKS.md). geodata/ (74 records), 8 connections, SECONDS
# (default 5), server on core 0 and wrk on core 1, three rounds.
#   scripts/load/ceiling.sh BIN_A [SECONDS]
# B is this tree's release build; the hello-world is `examples/hello.rs`.
set -euo pipefail
cd "$(dirname "$0")/../.."
A=$(realpath "$1")
SECS=${2:-5}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --locked -q --bin iskp-map --example hello
B=$(realpath target/release/iskp-map)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
line() {
  taskset -c 1 wrk -t1 -c8 -d"${SECS}s" --latency "$1" \
    | awk -v l="$2" '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {printf "  %-30s %10s req/s  p99 %s\n", l, rps, p99}'
}
for round in 1 2 3; do
  echo "== round $round"
  P=$(port); taskset -c 0 target/release/examples/hello "127.0.0.1:$P" >/dev/null 2>&1 & H=$!
  sleep 0.5; line "http://127.0.0.1:$P/" "hello"; kill $H; wait $H 2>/dev/null || true
  for name in A B; do
    bin=$A; [ $name = B ] && bin=$B
    P=$(port)
    RUST_LOG=iskp_map=info taskset -c 0 "$bin" serve --addr "127.0.0.1:$P" --data geodata \
      --client-rate 0 --client-concurrency 0 >/dev/null 2>&1 & S=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$P/readyz" >/dev/null && break; sleep 0.1; done
    line "http://127.0.0.1:$P/api/conformance" "$name /api/conformance"
    line "http://127.0.0.1:$P/api/collections/incidents/items?bbox=60,29,75,39&limit=100" "$name 100-feature page"
    kill $S; wait $S 2>/dev/null || true
  done
done
