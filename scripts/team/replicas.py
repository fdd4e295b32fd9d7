#!/usr/bin/env python3
"""Two iskp-map replicas following one PostgreSQL + PostGIS (issue 9). Run by hand, not by CI.

    scripts/team/replicas.py [--count N] [--trials T] [--seconds S] [--work DIR]

Starts a throw-away cluster (Debian's postgresql + postgresql-postgis, as the postgres user when run
as root), imports the repository's data (or N generated records), starts two release-build replicas
and measures: import and export time, replica start-up, how long an SQL edit takes to show on both
replicas and their peak memory meanwhile, how many reloads a burst of edits costs, wrk throughput of both replicas at once (if wrk is
installed), and what happens while the database is down. Prints a Markdown report. Needs only the
Python standard library; every load is bounded in requests and time. With --work DIR each
replica's log is kept in DIR/replica-0.log and DIR/replica-1.log (where an applied edit's time
went); without it the temporary directory, logs and all, is removed at the end.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# ISKP_MAP_BIN: another build to measure (an A/B against a copy of an older one); not rebuilt.
BIN = os.environ.get("ISKP_MAP_BIN") or os.path.join(ROOT, "target", "release", "iskp-map")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin():
    versions = sorted(
        (int(v), v) for v in os.listdir("/usr/lib/postgresql") if v.isdigit()
    )
    if not versions:
        sys.exit("PostgreSQL is not installed: apt-get install postgresql postgresql-postgis")
    return f"/usr/lib/postgresql/{versions[-1][1]}/bin"


class Cluster:
    def __init__(self, work):
        self.bin = pg_bin()
        self.dir = os.path.join(work, "pg")
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        os.makedirs(self.dir)
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run("initdb", "-D", self.data, "-U", "iskp", "--auth=trust", "-E", "UTF8")
        self.up()
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "iskp", "iskp")

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    @property
    def url(self):
        return f"postgres://iskp@127.0.0.1:{self.port}/iskp"

    def run(self, tool, *args, stdin=None):
        cmd = [os.path.join(self.bin, tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, input=stdin, cwd=self.dir)

    def up(self):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self.run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.dir, "log"), "-w", "start")

    def down(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def sql(self, text):
        """Runs SQL through psql; returns the wall time of the psql call."""
        t = time.perf_counter()
        self.run("psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U", "iskp", "iskp", stdin=text)
        return time.perf_counter() - t

    def stop(self):
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass


class Replica:
    def __init__(self, url, cpu=None, extra=(), log=None):
        self.port = free_port()
        # Without per-client limits: this script is one client polling every 5 ms, for seconds at
        # a million records (the default 100 requests a second answered it 429).
        cmd = [BIN, "serve", "--addr", f"127.0.0.1:{self.port}", "--db", url, "--web", os.path.join(ROOT, "web"),
               "--client-rate", "0", "--client-concurrency", "0", *extra]
        if cpu is not None and shutil.which("taskset"):
            cmd = ["taskset", "-c", str(cpu), *cmd]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, "NO_COLOR": "1", "RUST_LOG": "iskp_map=info"})
        # The replica's log is kept in `log` (when given), to read after a run where an edit's
        # time went ("applied an edit to the snapshot": read and elapsed).
        sink = open(log, "w") if log else None
        for line in self.proc.stdout:
            if sink:
                sink.write(line)
                sink.flush()
            if "serving http://" in line:
                break
        else:
            self.proc.wait(timeout=60)
            sys.exit(f"replica did not start (exit {self.proc.returncode})")
        self.startup = time.perf_counter() - self.started
        self.base = f"http://127.0.0.1:{self.port}"

        # Keep draining the log so the pipe never fills.
        def drain():
            for line in self.proc.stdout:
                if sink:
                    sink.write(line)
                    sink.flush()
        import threading
        threading.Thread(target=drain, daemon=True).start()

    def get(self, path, timeout=10):
        req = urllib.request.Request(self.base + path, headers={"Host": "maps.example.org"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()

    def json(self, path):
        return json.loads(self.get(path)[1])

    def wait_ready(self, tries=1200):
        """Waits (0.1 s a try) until /readyz says ready; returns whether it did."""
        for _ in range(tries):
            try:
                if self.json("/readyz")["status"] == "ready":
                    return True
            except Exception:
                pass
            time.sleep(0.1)
        return False

    def first_ok(self, path, timeout=600):
        """Asks `path` until it answers 200 (a first build can outlast the request timeout: a 408
        while it goes on); returns the seconds that took."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            try:
                if self.get(path, timeout=60)[0] == 200:
                    return time.perf_counter() - started
            except Exception:
                pass
            time.sleep(0.2)
        sys.exit(f"{path} did not answer in {timeout} s")

    def rss_mb(self, field="VmRSS"):
        """Resident memory (`VmRSS`), or its peak (`VmHWM`), in MB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def reset_peak(self):
        """Starts the peak resident memory (`VmHWM`) over from what is resident now; False when
        the kernel does not let this process (Linux's clear_refs, value 5)."""
        try:
            with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
                f.write("5")
            return True
        except OSError:
            return False

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


def first_id(data_dir):
    with open(os.path.join(data_dir, "records.csv")) as f:
        f.readline()
        return f.readline().split(",", 1)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=0, help="generated records (0: the repository's data)")
    ap.add_argument("--trials", type=int, default=20, help="SQL edits timed")
    ap.add_argument("--seconds", type=int, default=10, help="wrk duration")
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    if not os.environ.get("ISKP_MAP_BIN"):
        subprocess.run(["cargo", "build", "--release", "--locked", "-q", "--bin", "iskp-map"], cwd=ROOT, check=True)
    work = a.work or tempfile.mkdtemp(prefix="iskp-team-")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)
    data = os.path.join(ROOT, "geodata")
    if a.count:
        data = os.path.join(work, "data")
        subprocess.run([BIN, "generate", "--count", str(a.count), "--out", data, "--data", os.path.join(ROOT, "geodata")], check=True)
    label = f"{a.count:,} generated records" if a.count else "the repository's data"
    report = [f"## Two replicas over one PostGIS: {label}", ""]
    row = lambda k, v: report.append(f"| {k} | {v} |")
    report += ["| measure | figure |", "|---|---|"]
    pg = Cluster(work)
    replicas = []
    try:
        subprocess.run([BIN, "db", "init", "--db", pg.url], check=True, capture_output=True)
        t = time.perf_counter()
        subprocess.run([BIN, "db", "import", "--db", pg.url, "--data", data], check=True, capture_output=True)
        row("`db import` (validate, load, read back, commit)", f"{time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        subprocess.run([BIN, "db", "export", "--db", pg.url, "--out", os.path.join(work, "export")], check=True, capture_output=True)
        row("`db export` (and validate)", f"{time.perf_counter() - t:.2f} s")
        # Appended one by one, so that the `finally` below stops replica 0 if replica 1 fails.
        for cpu in (0, 1):
            replicas.append(Replica(pg.url, cpu, log=os.path.join(work, f"replica-{cpu}.log")))
        row("replica start-up from the database (each pinned to one core)",
            " / ".join(f"{r.startup:.2f} s" for r in replicas))
        row("replica RSS when ready", " / ".join(f"{r.rss_mb():.0f} MB" for r in replicas))

        rid = first_id(data)
        # Memory while edits are applied: a patched snapshot is built beside the one served, so
        # the peak over the edits is one snapshot plus what an edit's snapshot does not share.
        # Started over once both say ready and a few quiet seconds have passed, so that what a
        # new snapshot builds in the background after start-up is not counted as the edits'.
        for r in replicas:
            r.wait_ready()
        time.sleep(5)
        peaks = all([r.reset_peak() for r in replicas])
        lat = []
        for i in range(a.trials):
            title = f"Edited {i} {time.time()}"
            pg.sql(f"UPDATE iskp.records SET title = '{title}' WHERE id = '{rid}';")
            t = time.perf_counter()
            deadline = t + 120
            seen = [False, False]
            while not all(seen):
                for k, r in enumerate(replicas):
                    if not seen[k]:
                        f = r.json(f"/api/collections/incidents/items/{rid}")
                        seen[k] = f["properties"]["title"] == title
                if time.perf_counter() > deadline:
                    sys.exit("edit not seen within 120 s")
                time.sleep(0.005)
            lat.append(time.perf_counter() - t)
        lat.sort()
        row(f"SQL edit committed → served by both replicas ({a.trials} edits)",
            f"median {statistics.median(lat) * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms "
            f"(includes the 200 ms quiet window that coalesces bursts)")
        if peaks:
            time.sleep(1)  # the last edit's background builds
            row(f"replica peak RSS while the {a.trials} edits were applied",
                " / ".join(f"{r.rss_mb('VmHWM'):.0f} MB" for r in replicas))
        same = all(replicas[0].get(p) == replicas[1].get(p) for p in
                   ["/api/collections/incidents/items?limit=100", "/api/stats", "/api/collections/countries/items"])
        row("both replicas' answers byte-identical", "yes" if same else "**no**")

        before = [r.json("/readyz")["reloads"] for r in replicas]
        burst = "".join(f"UPDATE iskp.records SET count = '{i}' WHERE id = '{rid}';\n" for i in range(1, 201))
        took = pg.sql(burst)
        while not all(r.json(f"/api/collections/incidents/items/{rid}")["properties"]["count"] == 200 for r in replicas):
            time.sleep(0.05)
        time.sleep(2)
        after = [r.json("/readyz")["reloads"] for r in replicas]
        row("burst of 200 edits (separate transactions, %.2f s)" % took,
            " / ".join(f"{y - x} reloads" for x, y in zip(before, after)))

        if shutil.which("wrk") and a.seconds > 0:
            # A bounding-box page of up to 100 features, as in the issue 7 benchmark.
            path = "/api/collections/incidents/items?bbox=60,29,75,38&limit=100"
            procs = [subprocess.Popen(["wrk", "-t1", "-c4", f"-d{a.seconds}s", "--latency", r.base + path],
                                      stdout=subprocess.PIPE, text=True) for r in replicas]
            outs = [p.communicate(timeout=a.seconds + 60)[0] for p in procs]
            rates = []
            for o in outs:
                for line in o.splitlines():
                    if line.startswith("Requests/sec:"):
                        rates.append(float(line.split()[1]))
            row(f"wrk, both replicas at once, 4 connections each, `{path}`",
                " + ".join(f"{x:,.0f}" for x in rates) + f" = {sum(rates):,.0f} req/s (2 vCPU shared by both and wrk)")

        pg.down()
        t = time.perf_counter()
        ok = bad = 0
        while time.perf_counter() - t < 5:
            for r in replicas:
                try:
                    s, body = r.get("/api/collections/incidents/items?limit=10")
                    ok += s == 200
                except Exception:
                    bad += 1
            time.sleep(0.01)
        states = [r.json("/readyz")["status"] for r in replicas]
        row("database stopped: requests in the next 5 s", f"{ok} answered 200, {bad} failed; readiness {' / '.join(states)}")
        pg.up()
        t = time.perf_counter()
        while not all(r.json("/readyz")["status"] == "ready" for r in replicas):
            time.sleep(0.05)
            if time.perf_counter() - t > 60:
                break
        row("database restarted → both replicas ready again", f"{time.perf_counter() - t:.2f} s")
    finally:
        for r in replicas:
            r.stop()
        pg.stop()
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(report))


if __name__ == "__main__":
    main()
