"""The reporting service at scale, against issue 4's targets.

    .venv/bin/python bench/reporting.py [--proposals 1000000] [--events-per-proposal 10]

Makes a database of its own afresh (grantflow_bench_reporting), migrates the reporting service
and fills its read models with synthetic rows as the projections would have written them from
about ten events per proposal (bench/_reporting_data.py), loaded with COPY by two processes.
Then, as of 30/06/2016:
  - the province report's first (uncached) request in-process, part by part (the year-end
    forecast, the lag evaluation as the report counts it, the proposals by state, data
    quality, then the whole report), --parts times (--parts-only: that alone);
  - a full lag evaluation (`reporting.adapters.evaluation.evaluate`, the lagging proposals kept),
    median of 3, and the reports' variant that only counts them;
  - `announce.run` twice: the first records levels and notices, the second finds nothing new;
  - the service as a real process (`grantflow run reporting`): GET /api/v1/reports/provinces
    sequentially over one kept-alive connection (p50/p95/max; then 20 over new connections),
    the regional report of 2016-H1 once,
    then POST /api/v1/lag-evaluations as its timer would evaluate, twice: with everything to
    announce again (levels and notices forgotten; the relay publishes it all) and with nothing
    new; its resident memory (VmRSS, and the peak VmHWM) after each.
Targets (issue 4, Scale): evaluation <= 5 s, province report p95 <= 50 ms, service < 150 MB
(judged on the service's peak). Every SQL statement runs under a statement timeout
(--statement-timeout, default 120 s), so a plan gone wrong is reported as a MISS instead of
holding the run. --reuse skips the load and measures the database of the previous run
(migrated first to the reporting service's latest revision).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg2
import requests
from _context import describe
from _reporting_data import (
    MONEY_COLUMNS,
    PROGRESS_COLUMNS,
    PROPOSAL_COLUMNS,
    SCHEDULE_COLUMNS,
    generate,
    plans,
    province_slots,
)

# This file is bench/reporting.py: take its folder off the path, so that `import reporting`
# finds the service's package and not this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql://postgres@127.0.0.1:5432"
DB = "grantflow_bench_reporting"
VHOST = "grantflow-bench-reporting"
AMQP = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
AS_OF = date(2016, 6, 30)
CHUNK = 20_000  # proposals per COPY transaction
SEED = 20160630
TARGET_EVALUATION_S = 5.0
TARGET_REPORT_P95_MS = 50.0
TARGET_RSS_MB = 150.0
TABLES = ("reporting_proposal", "reporting_progress", "reporting_money", "reporting_schedule")
ANNOUNCED = (
    "reporting_level",
    "reporting_level_history",
    "reporting_overdue_notice",
    "reporting_outbox",
    "reporting_audit",
)


def codes_2016() -> list[str]:
    from grantflow.reference import provinces_on

    return sorted(p.code for p in provinces_on(date(2016, 1, 1)))


def slow_provinces(codes: list[str]) -> set[str]:
    """Five provinces slow at everything, so that some levels are not normal."""
    import random

    return set(random.Random(SEED).sample(codes, 5))


def fresh_database() -> str:
    from grantflow_tools.migrate import upgrade
    from grantflow_tools.registry import SERVICES

    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin.cursor().execute(f"CREATE DATABASE {DB}")
    admin.close()
    url = f"{PG}/{DB}"
    upgrade(SERVICES["reporting"], url)
    return url


# -- loading -----------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _worker_init(url: str, slots: list[str], slow: set[str], epp: int) -> None:
    _WORKER.update(conn=psycopg2.connect(url), slots=slots, slow=slow, epp=epp)


def _load_chunk(first_last: tuple[int, int]) -> tuple[dict[str, int], int, dict, dict, float]:
    first, last = first_last
    t0 = time.perf_counter()
    chunk = generate(first, last, SEED + first, _WORKER["slots"], _WORKER["slow"], _WORKER["epp"])
    generated = time.perf_counter() - t0
    conn = _WORKER["conn"]
    with conn.cursor() as cur:
        for table, columns, buf in (
            ("reporting_proposal", PROPOSAL_COLUMNS, chunk.proposal),
            ("reporting_progress", PROGRESS_COLUMNS, chunk.progress),
            ("reporting_money", MONEY_COLUMNS, chunk.money),
            ("reporting_schedule", SCHEDULE_COLUMNS, chunk.schedule),
        ):
            buf.seek(0)
            cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buf, size=1 << 20)
    conn.commit()
    return chunk.rows, chunk.events, chunk.approved, chunk.midyear, generated


def load(url: str, proposals: int, epp: int) -> dict[str, Any]:
    codes = codes_2016()
    slow = slow_provinces(codes)
    slots = province_slots(codes, SEED)
    ranges = [(i, min(i + CHUNK, proposals)) for i in range(0, proposals, CHUNK)]
    rows = dict.fromkeys(("proposal", "progress", "money", "schedule"), 0)
    events = 0
    approved: dict[tuple[str, str, int], int] = {}
    midyear: dict[tuple[str, str, int], int] = {}
    generating = 0.0
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2, _worker_init, (url, slots, slow, epp)) as pool:
        for chunk_rows, chunk_events, chunk_approved, chunk_midyear, gen_s in pool.imap_unordered(
            _load_chunk, ranges
        ):
            for k, v in chunk_rows.items():
                rows[k] += v
            events += chunk_events
            generating += gen_s
            for k, v in chunk_approved.items():
                approved[k] = approved.get(k, 0) + v
            for k, v in chunk_midyear.items():
                midyear[k] = midyear.get(k, 0) + v
    plan_text, plan_rows = plans(approved, midyear, codes, slow, SEED)
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.copy_expert(
            "COPY reporting_plan (province, year, source_fund, version, amount_vnd, approved_day)"
            " FROM STDIN",
            io.StringIO(plan_text),
        )
    conn.commit()
    rows["plan"] = plan_rows
    events += plan_rows  # plan_approved
    copied = time.perf_counter() - t0
    conn.autocommit = True
    t1 = time.perf_counter()
    conn.cursor().execute("VACUUM (ANALYZE)")
    vacuumed = time.perf_counter() - t1
    with conn.cursor() as cur:
        cur.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "WHERE c.relname LIKE 'reporting_%' AND c.relkind = 'r'"
        )
        (size,) = cur.fetchone()
    conn.close()
    return {
        "rows": rows,
        "events": events,
        "copy_s": copied,
        "generate_cpu_s": generating,
        "vacuum_s": vacuumed,
        "size_mb": int(size) / 2**20,
        "slow": sorted(slow),
    }


# -- evaluation ------------------------------------------------------------------------------


def _timed_out(exc: BaseException) -> bool:
    return "statement timeout" in str(exc) or "QueryCanceled" in type(exc.__cause__ or exc).__name__


def time_evaluation(url: str, timeout_s: float) -> dict[str, Any]:
    """evaluate() three times (and its two statements alone), then announce.run twice.

    Every statement runs under `statement_timeout`, so that a plan gone wrong shows as a MISS
    instead of holding the benchmark for hours.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from grantflow.db import make_engine
    from reporting.adapters.evaluation import KEPT, evaluate, province_figures
    from reporting.domain.lag import LagRules
    from reporting.handlers import announce

    engine = make_engine(url)
    rules = LagRules()
    out: dict[str, Any] = {"runs": [], "counting_s": [], "figures_s": [], "timeout": None}
    with Session(engine) as session:
        try:
            for run in range(3):
                session.execute(text(f"SET statement_timeout = {int(timeout_s * 1000)}"))
                t0 = time.perf_counter()
                result = evaluate(session, rules, AS_OF, keep=True)
                out["runs"].append(time.perf_counter() - t0)
                progress(f"evaluation {run + 1}: {out['runs'][-1]:.2f} s")
                kept = session.execute(text(f"SELECT reason, COUNT(*) FROM {KEPT} GROUP BY 1"))
                out["by_reason"] = dict(sorted((r, int(n)) for r, n in kept))
                behind = f"SELECT COUNT(DISTINCT proposal_id) FROM {KEPT}"
                out["behind"] = session.execute(text(behind)).scalar_one()
                session.rollback()
                t0 = time.perf_counter()
                evaluate(session, rules, AS_OF)  # as the reports do: lagging counted only
                out["counting_s"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                province_figures(session, AS_OF)
                out["figures_s"].append(time.perf_counter() - t0)
                session.rollback()
        except OperationalError as exc:
            if not _timed_out(exc):
                raise
            session.rollback()
            out["timeout"] = timeout_s
            progress(f"evaluation: statement timeout after {timeout_s:.0f} s")
            engine.dispose()
            return out
        out["figures"] = len(result.figures)
        out["reasons"] = sum(out["by_reason"].values())
        levels: dict[str, int] = {}
        for f in result.figures:
            levels[f.level] = levels.get(f.level, 0) + 1
        out["levels"] = levels
        del result
        session.execute(text(f"TRUNCATE {', '.join(ANNOUNCED)}"))  # as never evaluated
        session.commit()
        for key in ("announce_first", "announce_again"):
            session.execute(text(f"SET statement_timeout = {int(timeout_s * 1000)}"))
            t0 = time.perf_counter()
            _, announced = announce.run(session, rules, AS_OF, announce=True)
            out[key] = (time.perf_counter() - t0, len(announced))
            progress(f"{key}: {out[key][0]:.2f} s, {len(announced)} events")
        # Forget it all, so that the service announces everything again (its worst case).
        session.execute(text(f"TRUNCATE {', '.join(ANNOUNCED)}"))
        session.commit()
    engine.dispose()
    return out


def time_parts(url: str, timeout_s: float, runs: int) -> dict[str, list[float]]:
    """The province report's first (uncached) request in-process, part by part: the forecast,
    the lag evaluation (lagging proposals counted, as the report does), the proposals by state,
    data quality, then the whole report; each `runs` times, each in a transaction of its own."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from grantflow.db import make_engine
    from reporting.adapters.evaluation import evaluate
    from reporting.adapters.forecasting import forecasts
    from reporting.domain.lag import LagRules
    from reporting.views.provinces import _province_report, _states
    from reporting.views.quality import data_quality

    rules = LagRules()
    parts = {
        "forecast": lambda s: forecasts(s, rules, AS_OF),
        "lag evaluation": lambda s: evaluate(s, rules, AS_OF),
        "proposals by state": lambda s: _states(s, AS_OF.year, AS_OF),
        "data quality": lambda s: data_quality(s, rules, AS_OF),
        "whole report": lambda s: _province_report(s, rules, AS_OF.year, None, AS_OF),
    }
    out: dict[str, list[float]] = {name: [] for name in parts}
    engine = make_engine(url)
    with Session(engine) as session:
        for _ in range(runs):
            for name, part in parts.items():
                session.execute(text(f"SET statement_timeout = {int(timeout_s * 1000)}"))
                t0 = time.perf_counter()
                part(session)
                out[name].append(time.perf_counter() - t0)
                session.rollback()
                progress(f"{name}: {out[name][-1]:.2f} s (load {os.getloadavg()[0]:.1f})")
    engine.dispose()
    return out


def print_parts(parts: dict[str, list[float]]) -> None:
    print(
        "the province report's first request in-process, by part (median of "
        f"{len(parts['forecast'])}; runs): "
        + "; ".join(
            f"{name} {statistics.median(ts):.2f} s ({', '.join(f'{t:.2f}' for t in ts)})"
            for name, ts in parts.items()
        )
    )


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the service -----------------------------------------------------------------------------


def fresh_vhost() -> None:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", VHOST], check=True, capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory (VmRSS, VmHWM) of a process, in MiB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def auth_header() -> dict[str, str]:
    """A development bearer token (central officer) where the API asks for one."""
    try:
        from grantflow.auth import issue
    except ImportError:  # an API without authentication
        return {}
    return {
        "Authorization": f"Bearer {issue('central_officer', 'bench-reporting', ttl_seconds=7200)}"
    }


def time_service(url: str, count: int, budget_s: float, timeout_s: float) -> dict[str, Any]:
    """`grantflow run reporting` as a process: time the province report, read its memory."""
    fresh_vhost()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "AMQP_URI": AMQP,
        "LOG_LEVEL": "WARNING",
        "REPORTING_PORT": str(port),
        "HTTP_HOST": "127.0.0.1",
        "REPORTING_LAG_INTERVAL_SECONDS": "86400",  # no timed evaluation while measuring
        "PGOPTIONS": f"-c statement_timeout={int(timeout_s * 1000)}",  # read by libpq
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "grantflow_tools.cli", "run", "reporting"], env=env, cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    http = requests.Session()
    http.headers.update(auth_header())
    out: dict[str, Any] = {"timings_ms": [], "failed": None}
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit("the reporting service stopped before it was ready")
            try:
                if http.get(f"{base}/health/ready", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the reporting service was not ready within 60 s")
            time.sleep(0.2)
        out["rss_ready"] = rss_mb(proc.pid)
        url_report = f"{base}/api/v1/reports/provinces"
        params = {"year": AS_OF.year, "as_of": AS_OF.isoformat()}
        timings = out["timings_ms"]
        started = time.perf_counter()
        for _ in range(count):
            t0 = time.perf_counter()
            resp = http.get(url_report, params=params, timeout=timeout_s + 60)
            elapsed = (time.perf_counter() - t0) * 1000
            if resp.status_code != 200:
                out["failed"] = f"HTTP {resp.status_code} after {elapsed / 1000:.1f} s"
                progress(f"province report failed: {out['failed']}: {resp.text[:200]}")
                break
            timings.append(elapsed)
            if len(timings) in (1, 10) or len(timings) % 25 == 0:
                progress(f"province report {len(timings)}: {elapsed:.1f} ms")
            body = resp.json()
            out["items"] = len(body["items"])
            out["lagging"] = sum(i["lagging_proposals"] for i in body["items"])
            if time.perf_counter() - started > budget_s and len(timings) >= 10:
                break
        out["rss"] = rss_mb(proc.pid)
        if timings and not out["failed"]:
            # The same report over a new connection each time (no keep-alive).
            fresh = out["fresh_ms"] = []
            started = time.perf_counter()
            for _ in range(20):
                t0 = time.perf_counter()
                requests.get(url_report, params=params, headers=http.headers, timeout=timeout_s)
                fresh.append((time.perf_counter() - t0) * 1000)
                if time.perf_counter() - started > budget_s / 4 and len(fresh) >= 3:
                    break
            # The regional report of the first half-year: its outputs summed over every
            # proposal of the region's provinces.
            t0 = time.perf_counter()
            resp = http.get(
                f"{base}/api/v1/reports/regions/south_2016",
                params={"period": "2016-H1"},
                timeout=timeout_s + 60,
            )
            out["region"] = (resp.status_code, (time.perf_counter() - t0) * 1000)
            progress(f"GET /api/v1/reports/regions/south_2016?period=2016-H1: {out['region']}")
            out["rss_region"] = rss_mb(proc.pid)
            # What the timer does: evaluate as of a date and announce; first everything (the
            # relay then publishes it all), then nothing new.
            for key in ("post", "post_again"):
                t0 = time.perf_counter()
                resp = http.post(
                    f"{base}/api/v1/lag-evaluations",
                    json={"as_of": AS_OF.isoformat(), "announce": True},
                    timeout=timeout_s * 4 + 60,
                )
                took = time.perf_counter() - t0
                announced = len(resp.json()["announced"]) if resp.status_code == 200 else 0
                out[key] = (resp.status_code, took, len(resp.content), announced)
                progress(f"POST /api/v1/lag-evaluations: {out[key]}")
                if key == "post":
                    out["published_s"] = wait_published(url, timeout_s)
                out[f"rss_{key}"] = rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        http.close()
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True)
    return out


def wait_published(url: str, timeout_s: float) -> float | None:
    """Seconds until the relay has published every announcement in the outbox."""
    started = time.perf_counter()
    with psycopg2.connect(url) as conn:
        conn.autocommit = True
        while time.perf_counter() - started < timeout_s:
            with conn.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM reporting_outbox WHERE published_at IS NULL")
                if cur.fetchone()[0] == 0:
                    return time.perf_counter() - started
            time.sleep(0.5)
    return None


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=1_000_000)
    parser.add_argument("--events-per-proposal", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100, help="province reports to time")
    parser.add_argument(
        "--report-budget",
        type=float,
        default=120.0,
        help="stop timing reports after this many seconds (once 10 are timed)",
    )
    parser.add_argument(
        "--statement-timeout",
        type=float,
        default=120.0,
        help="seconds any one SQL statement may run, in the benchmark and in the service",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of the previous run (no load)"
    )
    parser.add_argument(
        "--parts",
        type=int,
        default=3,
        metavar="RUNS",
        help="time the uncached province report's parts in-process this many times (0: not)",
    )
    parser.add_argument(
        "--parts-only",
        action="store_true",
        help="only time the report's parts (with --reuse: a quick look at the first request)",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()[0]

    url = f"{PG}/{DB}"
    loaded: dict[str, Any] | None = None
    if args.reuse:
        from grantflow_tools.migrate import upgrade
        from grantflow_tools.registry import SERVICES

        upgrade(SERVICES["reporting"], url)  # indexes added since the load
    else:
        url = fresh_database()
        progress(f"loading {args.proposals:,} proposals")
        loaded = load(url, args.proposals, args.events_per_proposal)
        progress(f"loaded in {loaded['copy_s']:.1f} s + VACUUM ANALYZE {loaded['vacuum_s']:.1f} s")
    parts = time_parts(url, args.statement_timeout, args.parts) if args.parts else None
    if args.parts_only:
        print(describe(proposals=args.proposals, database=DB, as_of=AS_OF.isoformat()))
        print(f"load average: {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
        if parts:
            print_parts(parts)
        return
    evaluation = time_evaluation(url, args.statement_timeout)
    served = time_service(url, args.requests, args.report_budget, args.statement_timeout)

    print(
        describe(
            proposals=args.proposals,
            events_per_proposal=args.events_per_proposal,
            as_of=AS_OF.isoformat(),
            database=DB,
            vhost=VHOST,
            statement_timeout_s=args.statement_timeout,
        )
    )
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT version()")
        pg = cur.fetchone()[0].split(" on ")[0]
        cur.execute(
            "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name)"
            " FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem',"
            " 'max_parallel_workers_per_gather', 'jit')"
        )
        print(f"{pg}: {cur.fetchone()[0]}")
        counts = {}
        for table in (*TABLES, "reporting_plan"):
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cur.fetchone()[0]
    print(
        f"load average: {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
        " (other work on the machine competes for its cores)"
    )
    total_rows = sum(counts.values())
    print(f"rows: {', '.join(f'{t} {n:,}' for t, n in counts.items())}; total {total_rows:,}")
    if loaded:
        print(
            f"load: {loaded['events']:,} events' worth ({loaded['events'] / args.proposals:.1f}"
            f" per proposal) as {total_rows:,} rows in {loaded['copy_s']:.1f} s"
            f" (generate + COPY in 2 processes; generation {loaded['generate_cpu_s']:.1f} s of"
            f" CPU), VACUUM ANALYZE {loaded['vacuum_s']:.1f} s, {loaded['size_mb']:,.0f} MB;"
            f" slow provinces {', '.join(loaded['slow'])}"
        )
    else:
        print("load: reused the database of a previous run")

    if parts:
        print_parts(parts)
    runs = evaluation["runs"]
    if evaluation["timeout"]:
        ev_median = float("inf")
        print(
            f"lag evaluation as of {AS_OF}: did not finish, statement timeout after"
            f" {evaluation['timeout']:.0f} s"
        )
    else:
        ev_median = statistics.median(runs)
        print(
            f"lag evaluation as of {AS_OF}: median {ev_median:.2f} s"
            f" (runs {', '.join(f'{r:.2f}' for r in runs)}); lagging only counted (as the"
            f" reports do) {statistics.median(evaluation['counting_s']):.2f} s, figures SQL alone"
            f" {statistics.median(evaluation['figures_s']):.2f} s"
        )
        print(
            f"  {evaluation['behind']:,} proposals behind ({evaluation['reasons']:,} reasons: "
            + ", ".join(f"{k} {v:,}" for k, v in evaluation["by_reason"].items())
            + f"); {evaluation['figures']} province/fund scopes: "
            + ", ".join(f"{k} {v}" for k, v in sorted(evaluation["levels"].items()))
        )
        (a1, n1), (a2, n2) = evaluation["announce_first"], evaluation["announce_again"]
        print(
            f"announce.run (announce=True): first {a1:.2f} s ({n1:,} events),"
            f" again {a2:.2f} s ({n2:,} events)"
        )

    timings = served["timings_ms"]
    if timings:
        p50, p95 = percentile(timings, 50), percentile(timings, 95)
        print(
            f"province report (GET /api/v1/reports/provinces?year=2016&as_of=2016-06-30,"
            f" {len(timings)} sequential requests, {served['items']} provinces,"
            f" {served['lagging']:,} lagging proposals): p50 {p50:.1f} ms, p95 {p95:.1f} ms,"
            f" max {max(timings):.1f} ms"
        )
        print(
            f"  the first request (nothing computed yet) {timings[0]:,.1f} ms; the rest"
            f" p50 {percentile(timings[1:] or timings, 50):.1f} ms"
            + (
                f"; over a new connection each: p50 {percentile(served['fresh_ms'], 50):.1f} ms,"
                f" p95 {percentile(served['fresh_ms'], 95):.1f} ms"
                if served.get("fresh_ms")
                else ""
            )
        )
    else:
        p95 = float("inf")
    if served["failed"]:
        print(f"province report: a request failed ({served['failed']}), timing stopped")
    rss, peak = served["rss"]
    print(
        f"service memory: {rss:.0f} MB resident after the requests, peak {peak:.0f} MB"
        f" ({served['rss_ready'][0]:.0f} MB when ready)"
    )
    if served.get("region"):
        status, took = served["region"]
        rss_region, peak_region = served["rss_region"]
        print(
            f"region report (GET /api/v1/reports/regions/south_2016?period=2016-H1): HTTP {status}"
            f" in {took:,.0f} ms; then {rss_region:.0f} MB resident, peak {peak_region:.0f} MB"
        )
    for key, what in (("post", "everything new"), ("post_again", "nothing new")):
        if served.get(key):
            status, took, size, announced = served[key]
            rss_post, peak_post = served[f"rss_{key}"]
            published = (
                f", all published by the relay {served['published_s']:.1f} s after the answer"
                if key == "post" and served.get("published_s") is not None
                else ""
            )
            print(
                f"in the service, POST /api/v1/lag-evaluations as the timer evaluates ({what}):"
                f" HTTP {status} in {took:.2f} s, {announced:,} announced{published},"
                f" {size / 2**20:.2f} MB answer; then {rss_post:.0f} MB resident,"
                f" peak {peak_post:.0f} MB"
            )
    # The service's peak over everything above, its evaluations included.
    last = served.get("rss_post_again") or served.get("rss_post")
    peak = last[1] if last else peak
    print(
        f"targets: evaluation {ev_median:.2f} s <= {TARGET_EVALUATION_S:.0f} s"
        f" {verdict(ev_median <= TARGET_EVALUATION_S)};"
        f" report p95 {p95:.1f} ms <= {TARGET_REPORT_P95_MS:.0f} ms"
        f" {verdict(p95 <= TARGET_REPORT_P95_MS)};"
        f" service peak resident {peak:.0f} MB < {TARGET_RSS_MB:.0f} MB"
        f" {verdict(peak < TARGET_RSS_MB)}"
    )


if __name__ == "__main__":
    main()
