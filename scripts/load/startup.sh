#!/usr/bin/env bash
# Ready time and resident memory at 1 000 000 generated records, no cache, server on core 0, for two
# builds A/B interleaved, twice (run by hand; figures in BENCHMARKS.md). After ready it asks 16
# world answers (clusters and statistics) and reads the resident memory again.
#   scripts/load/startup.sh BIN_A [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
A=$(realpath "$1")
N=${2:-1000000}
cargo build --release --locked -q --bin iskp-map
B=$(realpath target/release/iskp-map)
DATA=/tmp/iskp-generated-$N
[ -f "$DATA/records.csv" ] || "$B" generate --count "$N" --seed 19 --out "$DATA" --data geodata
mb() { awk -v f="$2:" '$1 == f {print int($2 / 1024)}' "/proc/$1/status"; }
for round in 1 2; do
  for name in A B; do
    bin=$A; [ $name = B ] && bin=$B
    P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    t0=$(date +%s.%N)
    taskset -c 0 "$bin" serve --addr "127.0.0.1:$P" --data "$DATA" --client-rate 0 --client-concurrency 0 >/dev/null 2>&1 &
    S=$!
    for _ in $(seq 1200); do curl -sf "http://127.0.0.1:$P/readyz" >/dev/null && break; sleep 0.05; done
    t1=$(date +%s.%N)
    sleep 1
    rss=$(mb $S VmRSS); peak=$(mb $S VmHWM)
    for z in 2 3 4 5; do for k in attack plot; do
      curl -s -o /dev/null "http://127.0.0.1:$P/api/collections/incidents/clusters?zoom=$z&kind=$k"
      curl -s -o /dev/null "http://127.0.0.1:$P/api/stats?kind=$k&datetime=201$z-01-01/201$z-12-31"
    done; done
    printf '%s ready %.2f s  resident %d MB  peak %d MB  after 16 answers %d MB\n' "$name" \
      "$(python3 -c "print($t1 - $t0)")" "$rss" "$peak" "$(mb $S VmRSS)"
    kill $S; wait $S 2>/dev/null || true
  done
done
