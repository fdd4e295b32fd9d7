#!/usr/bin/env python3
"""What the history of team mode (issue 21, migration 3) costs. Run by hand, not by CI.

    scripts/team/history_cost.py [--count N | --data DIR] [--edits F] [--work DIR]

One throw-away cluster (as scripts/team/replicas.py), the repository's data or N generated records.
A/B in one run on the same database, the history triggers switched off (A) and on (B) in turn:
`db import` time (each import after the first replaces the data, so with history on it files every
row removed and every row loaded), then a release-build replica's start-up and resident memory with
the history it must read (none under A; the rows filed so far under B). Prints a Markdown report.

With --edits F (issue 21's case: "10% of records edited twice" is --edits 0.1), instead: A, one
cluster with history off, the data imported and a replica's start; then B, a fresh cluster with
history on: the import, a replica started, a fraction F of the records (every 1/F-th by `ord`) edited
in one UPDATE (titles), then again (summaries), each timed from the commit until the replica serves
it; the replica's memory then; `as_of` the instant between the two rounds and `as_of` the instant
before both — each past state's first build and the memory with it kept; and a second replica
started on the whole history.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from replicas import BIN, ROOT, Cluster, Replica  # noqa: E402
from as_of_cost import db_now  # noqa: E402

TABLES = ["records", "citations", "sources"]
# The changes a replica keeps and reads at start (store::changes::KEEP).
WINDOW = 250_000


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


def scalar(c, sql):
    return c.run("psql", "-At", "-h", "127.0.0.1", "-p", str(c.port), "-U", "iskp", "iskp", stdin=sql).stdout.strip()


def served(r, rid, mark, field):
    """Seconds until replica r serves record rid with `mark` in `field` (polled every 20 ms)."""
    started = time.perf_counter()
    while True:
        try:
            if mark in (r.json(f"/api/collections/incidents/items/{rid}")["properties"].get(field) or ""):
                return time.perf_counter() - started
        except Exception:
            pass  # a reload's moment or a slow answer: ask again
        if time.perf_counter() - started > 600:
            sys.exit(f"{rid}: the edit did not reach the replica in 600 s")
        time.sleep(0.02)


def edits(work, data, fraction):
    """The --edits run: prints its report."""
    every = max(1, round(1 / fraction))
    out = []
    for side in ("a", "b"):
        os.makedirs(os.path.join(work, side), exist_ok=True)
        os.chmod(os.path.join(work, side), 0o755)  # the cluster runs as postgres when this runs as root
    a = Cluster(os.path.join(work, "a"))
    try:
        subprocess.run([BIN, "db", "init", "--db", a.url], check=True, capture_output=True)
        triggers(a, False)
        t_import = timed_import(a, data)
        ready, rss = replica(a)
        out.append(("A: history off — import, then a replica", f"{t_import:.1f} s", f"ready {ready:.1f} s", f"{rss:.0f} MB", history_rows(a)))
    finally:
        a.stop()
        shutil.rmtree(a.dir, ignore_errors=True)
    b = Cluster(os.path.join(work, "b"))
    r = r2 = None
    try:
        subprocess.run([BIN, "db", "init", "--db", b.url], check=True, capture_output=True)
        t_import = timed_import(b, data)
        r = Replica(b.url)
        r.wait_ready()
        ready = time.perf_counter() - r.started
        out.append(("B: history on — import, then a replica", f"{t_import:.1f} s", f"ready {ready:.1f} s", f"{r.rss_mb():.0f} MB", history_rows(b)))
        edited = int(scalar(b, f"SELECT count(*) FROM iskp.records WHERE ord % {every} = 0;"))
        rid = scalar(b, f"SELECT id FROM iskp.records WHERE ord % {every} = 0 ORDER BY ord DESC LIMIT 1;")
        time.sleep(0.05)
        t0 = db_now(b)
        time.sleep(0.05)
        took = b.sql(f"UPDATE iskp.records SET title = title || ' (edited)' WHERE ord % {every} = 0;")
        lag = served(r, rid, "(edited)", "title")
        out.append((f"B: {edited:,} titles edited in one UPDATE", f"{took:.1f} s", f"served {lag:.1f} s after", f"{r.rss_mb():.0f} MB", history_rows(b)))
        time.sleep(0.05)
        t1 = db_now(b)
        time.sleep(0.05)
        took = b.sql(f"UPDATE iskp.records SET summary = summary || ' (revised)' WHERE ord % {every} = 0;")
        lag = served(r, rid, "(revised)", "summary")
        time.sleep(2)
        out.append((f"B: the same {edited:,} summaries edited", f"{took:.1f} s", f"served {lag:.1f} s after", f"{r.rss_mb():.0f} MB", history_rows(b)))
        page = "/api/collections/incidents/items?limit=10"
        for name, t in (("between the rounds", t1), ("before both", t0)):
            build = r.first_ok(f"{page}&as_of={t}")
            out.append((f"B: `as_of` {name}: first build, then kept", "", f"{build:.1f} s", f"{r.rss_mb():.0f} MB", ""))
        r.stop()
        r = None
        # The start's read of the change window, timed in SQL both ways, interleaved: the fields
        # filed with each update (schema 5) against finding them by comparing its rows (before).
        window = f"FROM iskp.history WHERE seq > (SELECT max(seq) FROM iskp.history) - {WINDOW}"
        filed = f"SELECT count(*), sum(cardinality(fields)) {window} AND op = 'update';"
        compared = (f"SELECT count(*), sum(cardinality(ARRAY(SELECT k FROM jsonb_object_keys(new_row || old_row) k "
                    f"WHERE old_row -> k IS DISTINCT FROM new_row -> k ORDER BY k))) {window} AND op = 'update';")
        times = {"filed": [], "compared": []}
        for _ in range(2):
            for name, q in (("filed", filed), ("compared", compared)):
                times[name].append(b.sql(q))
        out.append(("B: the window's fields in SQL — filed / compared, two runs each",
                    ", ".join(f"{t:.2f}" for t in times["filed"]) + " / " + ", ".join(f"{t:.2f}" for t in times["compared"]) + " s", "", "", ""))
        r2 = Replica(b.url)
        r2.wait_ready()
        ready = time.perf_counter() - r2.started
        out.append(("B: a new replica on the whole history", "", f"ready {ready:.1f} s", f"{r2.rss_mb():.0f} MB", history_rows(b)))
    finally:
        for x in (r, r2):
            if x:
                x.stop()
        b.stop()
    print(f"### History cost with {fraction:.0%} of the records edited twice\n")
    print("| step | SQL / import | replica | replica RSS | rows in iskp.history |")
    print("|---|---|---|---|---|")
    for name, t, ready, rss, n in out:
        print(f"| {name} | {t} | {ready} | {rss} | {n if n == '' else f'{n:,}'} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=0, help="generated records (0: the repository's data)")
    ap.add_argument("--data", default=None, help="a data directory to import instead (e.g. one made by iskp-map generate)")
    ap.add_argument("--edits", type=float, default=0, help="the edited-twice run: the fraction of records edited")
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    work = a.work or tempfile.mkdtemp(prefix="iskp-history-")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)  # the cluster runs as postgres when this runs as root
    data = a.data or os.path.join(ROOT, "geodata")
    if a.count and not a.data:
        data = os.path.join(work, "data")
        subprocess.run([BIN, "generate", "--count", str(a.count), "--seed", "19", "--out", data, "--data", os.path.join(ROOT, "geodata")], check=True, capture_output=True)
    if a.edits:
        return edits(work, data, a.edits)
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
