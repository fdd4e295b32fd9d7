#!/usr/bin/env python3
"""What the history of team mode (issue 21, migration 3) costs. Run by hand, not by CI.

    scripts/team/history_cost.py [--count N] [--work DIR]

One throw-away cluster (as scripts/team/replicas.py), the repository's data or N generated records.
A/B in one run on the same database, the history triggers switched off (A) and on (B) in turn:
`db import` time (each import after the first replaces the data, so with history on it files every
row removed and every row loaded), then a release-build replica's start-up and resident memory with
the history it must read (none under A; the rows filed so far under B). Prints a Markdown report.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from replicas import BIN, ROOT, Cluster, Replica  # noqa: E402

TABLES = ["records", "citations", "sources"]


def triggers(c, on):
    verb = "ENABLE" if on else "DISABLE"
    c.sql("".join(f"ALTER TABLE iskp.{t} {verb} TRIGGER keep_history; ALTER TABLE iskp.{t} {verb} TRIGGER keep_history_of_truncate;" for t in TABLES))


def history_rows(c):
    out = c.run("psql", "-At", "-h", "127.0.0.1", "-p", str(c.port), "-U", "iskp", "iskp", stdin="SELECT count(*) FROM iskp.history;")
    return int(out.stdout.strip())


def timed_import(c, data):
    t = time.perf_counter()
    subprocess.run([BIN, "db", "import", "--db", c.url, "--data", data], check=True, capture_output=True)
    return time.perf_counter() - t


def replica(c):
    r = Replica(c.url)
    r.wait_ready()
    ready = time.perf_counter() - r.started
    rss = r.rss_mb()
    r.stop()
    return ready, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=0, help="generated records (0: the repository's data)")
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    work = a.work or tempfile.mkdtemp(prefix="iskp-history-")
    os.chmod(work, 0o755)  # the cluster runs as postgres when this runs as root
    data = os.path.join(ROOT, "geodata")
    if a.count:
        data = os.path.join(work, "data")
        subprocess.run([BIN, "generate", "--count", str(a.count), "--seed", "19", "--out", data, "--data", os.path.join(ROOT, "geodata")], check=True, capture_output=True)
    c = Cluster(work)
    try:
        subprocess.run([BIN, "db", "init", "--db", c.url], check=True, capture_output=True)
        rows = []
        triggers(c, False)
        t_a1 = timed_import(c, data)
        ready_a, rss_a = replica(c)
        rows.append(("A: history off", t_a1, ready_a, rss_a, history_rows(c)))
        triggers(c, True)
        t_b1 = timed_import(c, data)
        ready_b, rss_b = replica(c)
        rows.append(("B: history on (re-import files deletes and inserts)", t_b1, ready_b, rss_b, history_rows(c)))
        triggers(c, False)
        t_a2 = timed_import(c, data)
        triggers(c, True)
        t_b2 = timed_import(c, data)
        ready_b2, rss_b2 = replica(c)
        rows.append(("B again, after A", t_b2, ready_b2, rss_b2, history_rows(c)))
        label = f"{a.count:,} generated records" if a.count else "the repository's data"
        print(f"### History cost, {label}\n")
        print("| run | `db import` | replica ready | replica RSS | rows in iskp.history |")
        print("|---|---|---|---|---|")
        for name, t, ready, rss, n in rows:
            print(f"| {name} | {t:.1f} s | {ready:.1f} s | {rss:.0f} MB | {n:,} |")
        print(f"\nImport A/B pairs: {t_a1:.1f} / {t_b1:.1f} s and {t_a2:.1f} / {t_b2:.1f} s "
              f"(history on ÷ off: {t_b1 / t_a1:.2f}, {t_b2 / t_a2:.2f}).")
    finally:
        c.stop()


if __name__ == "__main__":
    main()
