#!/usr/bin/env python3
"""Issue #17's figures (run by hand; loopback only; every phase bounded in requests and time):

1. CPU per worst request: the server's CPU time (utime + stime from /proc) over N sequential copies
   of each of the most expensive requests the API allows.
2. A cheap request's latency while 20 clients send the most expensive requests: a probe process
   asks /healthz and a 10-feature page every 10 ms over one keep-alive connection each; p50, p99,
   max. The attackers are told apart by X-Forwarded-For behind the trusted proxy 127.0.0.1, so the
   per-client limits apply to each of them as they would to 20 real clients.
3. Memory under slow readers: 200 clients start the FlatGeobuf download of the provinces (the
   issue's case) and then stop reading; resident memory before, while they hold, and after.

Usage: scripts/load/fairness.py BINARY [RECORDS] [--json]
   BINARY   the iskp-map to measure (a release build: target/release/iskp-map)
   RECORDS  size of the generated data set for phases 1 and 2 (default 200000)

A binary from before issue #17 (no --trusted-proxy) is measured with its defaults.
"""
import http.client
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.path.abspath(sys.argv[1])
RECORDS = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 200_000
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JUNK12 = "%20".join(f"qzx{chr(97 + i)}wv" for i in range(12))
WORST = {
    "geocode, exact, 12 junk words (the most a name may have)": f"/api/geocode?exact=true&q={JUNK12}",
    "clusters, zoom 22, the whole world": "/api/collections/incidents/clusters?zoom=22&bbox=-180,-90,180,90",
    "clusters, zoom 8, the whole world": "/api/collections/incidents/clusters?zoom=8",
    "stats by province and month, every record": "/api/stats?by=province&period=month",
    "items, world bbox, 10 000 features": "/api/collections/incidents/items?bbox=-180,-90,180,90&limit=10000",
    "items, world bbox, 10 000 features, HTML": "/api/collections/incidents/items?bbox=-180,-90,180,90&limit=10000&f=html",
    "download, every record, CSV": "/api/collections/incidents/download?format=csv",
    "download, every record, FlatGeobuf": "/api/collections/incidents/download?format=fgb",
}
CHEAP = ["/healthz", "/api/collections/plots/items?limit=10"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def supports(flag):
    out = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True).stdout
    return flag in out


def start(data, extra=()):
    port = free_port()
    args = [BIN, "serve", "--addr", f"127.0.0.1:{port}", "--data", data, *extra]
    log = open(os.path.join(tempfile.gettempdir(), "iskp-fairness-server.log"), "w")
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(1200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return p, port
        except OSError:
            time.sleep(0.1)
    p.kill()
    raise SystemExit("server did not start")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def fetch(port, path, headers=None, timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    n = 0
    while True:
        chunk = r.read(1 << 20)
        if not chunk:
            break
        n += len(chunk)
    c.close()
    return r.status, n


def phase_cpu(pid, port, n=5):
    rows = []
    for what, path in WORST.items():
        fetch(port, path)  # warm
        before = cpu_seconds(pid)
        t = time.time()
        statuses = set()
        size = 0
        for _ in range(n):
            s, size = fetch(port, path)
            statuses.add(s)
        rows.append({
            "request": what,
            "status": sorted(statuses),
            "bytes": size,
            "cpu_ms": round((cpu_seconds(pid) - before) / n * 1000, 1),
            "wall_ms": round((time.time() - t) / n * 1000, 1),
        })
    return rows


def probe(port, seconds, out):
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in CHEAP]
    lat = {p: [] for p in CHEAP}
    failed = 0
    end = time.time() + seconds
    while time.time() < end:
        for c, p in zip(conns, CHEAP):
            t = time.perf_counter()
            try:
                c.request("GET", p)
                r = c.getresponse()
                r.read()
                if r.status != 200:
                    failed += 1
                lat[p].append((time.perf_counter() - t) * 1000)
            except OSError:
                failed += 1
                c.close()
        time.sleep(0.01)
    out.put({"latencies": lat, "failed": failed})


def attack(port, clients, end, q):
    """The attackers, in a process of their own at the lowest priority: on this machine they share
    the server's two cores, and a real attacker's CPU is not the server's."""
    os.nice(19)
    counts, lock = {}, threading.Lock()
    threads = [threading.Thread(target=attacker, args=(port, k, end, counts, lock)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q.put(counts)


def attacker(port, me, end, counts, lock):
    paths = list(WORST.values())
    i = me
    headers = {"X-Forwarded-For": f"198.51.100.{me + 1}", "Accept-Encoding": "gzip, br"}
    while time.time() < end:
        path = paths[i % len(paths)]
        i += 1
        try:
            s, _ = fetch(port, path, headers, timeout=60)
        except OSError:
            s = 0
        with lock:
            counts[s] = counts.get(s, 0) + 1


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")


def phase_attack(port, seconds=20, clients=20):
    q = mp.Queue()
    baseline = mp.Process(target=probe, args=(port, 3, q))
    baseline.start()
    base = q.get()
    baseline.join()
    end = time.time() + seconds
    aq = mp.Queue()
    a = mp.Process(target=attack, args=(port, clients, end, aq))
    a.start()
    time.sleep(1)  # let the attack build up
    p = mp.Process(target=probe, args=(port, seconds - 2, q))
    p.start()
    under = q.get()
    p.join()
    counts = aq.get()
    a.join()

    def summary(res):
        return {path: {"n": len(v), "p50_ms": round(pct(v, 0.5), 2), "p99_ms": round(pct(v, 0.99), 2), "max_ms": round(max(v), 2) if v else None}
                for path, v in res["latencies"].items()} | {"failed": res["failed"]}

    return {"idle": summary(base), "under_attack": summary(under), "attack_answers": counts}


def slow_reader(port, path, hold, headers, result):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        h = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n{h}\r\n".encode())
        first = s.recv(4096)
        result.append(first.split(b" ", 2)[1].decode() if first else "closed")
        time.sleep(hold)
        s.close()
    except OSError as e:
        result.append(f"error {e.errno}")


def phase_slow_readers(pid, port, readers=200, hold=15, spread=True):
    path = "/api/collections/provinces/download?format=fgb"
    before = rss_mb(pid)
    result = []
    threads = []
    for k in range(readers):
        headers = {"X-Forwarded-For": f"203.0.113.{k % 250}"} if spread else {}
        t = threading.Thread(target=slow_reader, args=(port, path, hold, headers, result))
        t.start()
        threads.append(t)
    time.sleep(hold / 2)
    during = rss_mb(pid)
    for t in threads:
        t.join()
    time.sleep(1)
    statuses = {}
    for r in result:
        statuses[r] = statuses.get(r, 0) + 1
    return {"rss_before_mb": round(before), "rss_while_holding_mb": round(during), "rss_after_mb": round(rss_mb(pid)), "first_status": statuses}


def main():
    new = supports("--trusted-proxy")
    out = {"binary": BIN, "records": RECORDS, "after_issue_17": new}
    extra = ["--trusted-proxy", "127.0.0.1"] if new else []
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        subprocess.run([BIN, "generate", "--count", str(RECORDS), "--seed", "17", "--out", data, "--data", os.path.join(ROOT, "geodata")], check=True, capture_output=True)
        server, port = start(data, extra)
        try:
            out["cpu_per_worst_request"] = phase_cpu(server.pid, port)
            out["cheap_requests"] = phase_attack(port)
        finally:
            server.kill()
            server.wait()
    # Slow readers: with the default cap on FlatGeobuf files in flight (16), and with room for all
    # 200, to see what each one costs.
    for name, more in [("slow_readers", []), ("slow_readers_all_admitted", ["--max-spooled-downloads", "256", "--work-queue", "256"])]:
        if more and not new:
            continue
        server, port = start(os.path.join(ROOT, "geodata"), extra + more)
        try:
            out[name] = phase_slow_readers(server.pid, port, spread=new)
        finally:
            server.kill()
            server.wait()
    out["load_average"] = os.getloadavg()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
