# Sourced by the wrk scripts (tiles.sh, filter.sh): builds the release binary, generates N records
# once (seed 19, under /tmp), starts the server on core 0 without per-client limits (wrk is one
# client, and the default limit is 100 requests a second) and waits until it is ready. Sets PORT and
# PID, and kills the server on exit. Expects N, and LOG (the server's log file).
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --locked -q
DATA=/tmp/iskp-generated-$N
[ -f "$DATA/records.csv" ] || ./target/release/iskp-map generate --count "$N" --seed 19 --out "$DATA" --data geodata
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c 0 ./target/release/iskp-map serve --addr "127.0.0.1:$PORT" --data "$DATA" \
  --client-rate 0 --client-concurrency 0 >"$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

# One wrk run of URL $2 labelled $1: 4 connections for SECS on core 1; size or matched count first.
wrk_line() {
  taskset -c 1 wrk -t1 -c4 -d"${SECS}s" --latency "$1" | awk '/Non-2xx/ {bad=$5} /Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%10s req/s  p50 %8s  p99 %8s  non-2xx %d\n", rps, p50, p99, bad}'
}
