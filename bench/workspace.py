"""The workspace at scale: overview and province page render times once warm (issue 13).

    .venv/bin/python bench/workspace.py [--proposals 1000000] [--requests 50] [--reuse]

Fills the reporting service's read models at bench/reporting.py's size (its `load`: synthetic
rows as the projections would have written them from about ten events per proposal; or, with
--reuse, the database its last run left), migrates the other services into the same database,
starts all five services as processes (`grantflow run ...`), signs in through the development
sign-in as the central office, then GETs /overview and /provinces/<code> for 2016 as of
30/06/2016: twice to warm, then --requests times each, sequentially, over one kept-alive
connection. Prints p50/p95/max against the target (p95 < 300 ms once warm).

What it does not cover: bench/reporting.py fills only reporting's read models, so the province
page's calls to the proposals and disbursement services (rates month by month, plans, the
province's proposals) run against their empty tables at this size.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import requests

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
_spec = importlib.util.spec_from_file_location("bench_reporting", BENCH / "reporting.py")
bench_reporting = importlib.util.module_from_spec(_spec)
sys.modules["bench_reporting"] = bench_reporting  # its pool pickles functions by module
_spec.loader.exec_module(bench_reporting)  # type: ignore[union-attr]

VHOST = "grantflow-bench-workspace"
AMQP = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
TARGET_MS = 300.0
SERVICES = ("proposals", "disbursement", "notifications", "reporting", "workspace")


def database(proposals: int, reuse: bool) -> str:
    url = f"{bench_reporting.PG}/{bench_reporting.DB}"
    if reuse and _exists(bench_reporting.DB):
        print(f"reusing {bench_reporting.DB}")
    else:
        url = bench_reporting.fresh_database()
        print(f"loading {proposals:,} proposals into reporting's read models ...", flush=True)
        loaded = bench_reporting.load(url, proposals, 10)
        print(f"  loaded in {loaded['copy_s']:.0f} s + VACUUM ANALYZE {loaded['vacuum_s']:.0f} s")
    from grantflow_tools.migrate import upgrade
    from grantflow_tools.registry import SERVICES as REGISTERED

    for entry in REGISTERED.values():
        upgrade(entry, url)
    return url


def _exists(name: str) -> bool:
    admin = psycopg2.connect(f"{bench_reporting.PG}/postgres")
    with admin, admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        found = cur.fetchone() is not None
    admin.close()
    return found


def start_all(url: str) -> tuple[list[subprocess.Popen], str]:
    for args in (["delete_vhost", VHOST], ["add_vhost", VHOST]):
        subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"],
        check=True,
    )
    ports = {name: bench_reporting.free_port() for name in SERVICES}
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "AMQP_URI": AMQP,
        "LOG_LEVEL": "WARNING",
        "HTTP_HOST": "127.0.0.1",
        "REPORTING_LAG_INTERVAL_SECONDS": "86400",
        "WORKSPACE_API_TIMEOUT_SECONDS": "300",  # the first, uncached report takes seconds
        **{f"{n.upper()}_PORT": str(p) for n, p in ports.items()},
        **{f"WORKSPACE_{n.upper()}_URL": f"http://127.0.0.1:{p}" for n, p in ports.items()},
    }
    procs = []
    for name in SERVICES:
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "grantflow_tools.cli", "run", name], env=env, cwd=ROOT
            )
        )
    for name, port in ports.items():
        deadline = time.monotonic() + 180
        while not _ready(f"http://127.0.0.1:{port}"):
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} did not become ready")
            time.sleep(0.5)
    return procs, f"http://127.0.0.1:{ports['workspace']}"


def _ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/health/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def signed_in(base: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{base}/sign-in", timeout=30).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    answer = browser.post(  # not to the overview yet: its first report is timed apart
        f"{base}/sign-in/dev",
        data={"csrf": csrf, "role": "central_officer"},
        timeout=60,
        allow_redirects=False,
    )
    answer.raise_for_status()
    return browser


def time_page(browser: requests.Session, url: str, count: int) -> dict[str, float]:
    for _ in range(2):  # warm: the report is computed once per state of the read models
        browser.get(url, timeout=300).raise_for_status()
    took = []
    for _ in range(count):
        started = time.perf_counter()
        answer = browser.get(url, timeout=300)
        took.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    took.sort()
    return {
        "p50": statistics.median(took),
        "p95": took[max(0, round(0.95 * len(took)) - 1)],
        "max": took[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="the database of the last run")
    args = parser.parse_args()
    url = database(args.proposals, args.reuse)
    procs, base = start_all(url)
    try:
        browser = signed_in(base)
        pages = {
            "overview": f"{base}/overview?year=2016&as_of=2016-06-30",
            "province 80": f"{base}/provinces/80?year=2016&as_of=2016-06-30",
        }
        print(f"load average before timing: {os.getloadavg()[0]:.1f}")
        for name, page in pages.items():
            figures = time_page(browser, page, args.requests)
            verdict = "OK" if figures["p95"] < TARGET_MS else "MISS"
            print(
                f"{name:<12} p50 {figures['p50']:.0f} ms  p95 {figures['p95']:.0f} ms  "
                f"max {figures['max']:.0f} ms  (target p95 < {TARGET_MS:.0f} ms: {verdict})"
            )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(60)


if __name__ == "__main__":
    main()
