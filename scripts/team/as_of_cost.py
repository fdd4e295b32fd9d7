#!/usr/bin/env python3
"""What `as_of` costs a replica (issue 21). Run by hand, not by CI.

    scripts/team/as_of_cost.py [--count N | --data DIR] [--seconds S] [--work DIR]

One throw-away cluster (as scripts/team/replicas.py), the repository's data or N generated records,
one release-build replica on core 0 without per-client limits, `wrk` on core 1 (4 connections, S
seconds a run). An instant T0 is taken, then one record's title is edited. The first request
`as_of` T0 is timed on that replica (which served the state before the edit, and keeps it as its
reload replaced it) and on a second replica started after the edit (which rebuilds it from
iskp.history), the two answers compared byte for byte, and the first replica's resident memory
read before and after the edit. Then, interleaved in one run (A, B, C, A, B, C): a page of items
as now (A), the same page `as_of` now (B: the state served), and `as_of` T0 (C: the past state).
Prints a Markdown report.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from replicas import BIN, ROOT, Cluster, Replica, first_id  # noqa: E402


def wrk(url, seconds):
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", "-H", "Host: maps.example.org", url],
                         check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(bad.group(1)) if bad else 0


def db_now(c):
    out = c.run("psql", "-At", "-h", "127.0.0.1", "-p", str(c.port), "-U", "iskp", "iskp",
                stdin="SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"');")
    return out.stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=0, help="generated records (0: the repository's data)")
    ap.add_argument("--data", default=None, help="a data directory to import instead (e.g. one made by iskp-map generate)")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    if not shutil.which("wrk"):
        sys.exit("install wrk (apt-get install wrk)")
    work = a.work or tempfile.mkdtemp(prefix="iskp-asof-")
    os.chmod(work, 0o755)  # the cluster runs as postgres when this runs as root
    data = a.data or os.path.join(ROOT, "geodata")
    if a.count and not a.data:
        data = os.path.join(work, "data")
        subprocess.run([BIN, "generate", "--count", str(a.count), "--seed", "19", "--out", data, "--data", os.path.join(ROOT, "geodata")], check=True, capture_output=True)
    c = Cluster(work)
    r = None
    try:
        subprocess.run([BIN, "db", "init", "--db", c.url], check=True, capture_output=True)
        subprocess.run([BIN, "db", "import", "--db", c.url, "--data", data], check=True, capture_output=True)
        r = Replica(c.url, cpu=0, extra=["--client-rate", "0", "--client-concurrency", "0"])
        if not r.wait_ready():
            sys.exit("the replica did not become ready")
        time.sleep(0.05)
        t0 = db_now(c)
        time.sleep(0.05)
        rid = first_id(data)
        rss_before = r.rss_mb()
        c.sql(f"UPDATE iskp.records SET title = title || ' (edited)' WHERE id = '{rid}';")
        page = "/api/collections/incidents/items?limit=10"
        while "(edited)" not in r.json(f"/api/collections/incidents/items/{rid}")["properties"]["title"]:
            time.sleep(0.05)
        now = db_now(c)
        # The replica that served the state before the edit kept it; one started after rebuilds it.
        first_past = r.first_ok(f"{page}&as_of={t0}")
        rss_after = r.rss_mb()
        r2 = Replica(c.url, cpu=0, extra=["--client-rate", "0", "--client-concurrency", "0"])
        try:
            if not r2.wait_ready():
                sys.exit("the second replica did not become ready")
            first_rebuilt = r2.first_ok(f"{page}&as_of={t0}")
            same = r.get(f"{page}&as_of={t0}")[1] == r2.get(f"{page}&as_of={t0}")[1]
        finally:
            r2.stop()
        urls = [("A: now", page), ("B: as_of now (the state served)", f"{page}&as_of={now}"), ("C: as_of T0 (a past state, kept)", f"{page}&as_of={t0}")]
        rows = {name: [] for name, _ in urls}
        for _ in range(2):
            for name, u in urls:
                rows[name].append(wrk(r.base + u, a.seconds))
        label = a.data or (f"{a.count:,} generated records" if a.count else "the repository's data")
        print(f"### as_of cost, {label}\n")
        print(f"First request `as_of` T0: {first_past * 1000:.0f} ms on the replica that served that state "
              f"(kept as its reload replaced it), {first_rebuilt * 1000:.0f} ms on a replica started after the edit "
              f"(rebuilt from iskp.history); the two answers {'are' if same else 'are NOT'} the same bytes. "
              f"Resident memory of the first replica: {rss_before:.0f} MB before the edit, {rss_after:.0f} MB after.\n")
        print("| request (10 items) | req/s (two runs) | p99 | non-2xx |")
        print("|---|---|---|---|")
        base = sum(x[0] for x in rows["A: now"]) / 2
        for name, _ in urls:
            rs = rows[name]
            mean = sum(x[0] for x in rs) / 2
            print(f"| {name} | {rs[0][0]:,.0f}, {rs[1][0]:,.0f} ({mean / base:.2f}×) | {rs[0][1]}, {rs[1][1]} | {sum(x[2] for x in rs)} |")
    finally:
        if r:
            r.stop()
        c.stop()


if __name__ == "__main__":
    main()
