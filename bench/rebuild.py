"""`grantflow reporting rebuild`, timed, and its events per second.

    .venv/bin/python bench/rebuild.py [--proposals 1000] [--copies 2] [--reuse] [--profile]
                                      [--name rebuild]

Makes the event logs to rebuild from the honest way, then multiplies them:
1. a database (grantflow_bench_<name>; `--name`, default rebuild) and a vhost of its own,
   afresh; the four services as processes apply `--proposals` full lifecycles
   (bench/_lifecycles.py, in waves), so the proposals' and disbursement's outboxes hold their
   published domain events (11 a proposal, plus 10 plans);
2. `--copies` more of every proposal's events are added to both outboxes in SQL, each copy
   with its own proposal ids and event ids, in the same order (plans are not copied);
   issue 14's size (bench/reporting.py's 11 M events) is about `--proposals 1000 --copies 1000`;
3. reporting stopped, proposals and disbursement serving their event logs, the command
   `grantflow reporting rebuild` runs as operators run it, timed from start to exit;
4. reporting's inbox must then hold every event of both logs.
`--reuse` skips 1 and 2 and rebuilds the database of the previous run; `--profile` runs the
command under py-spy and prints its top frames (raw stacks in var/rebuild/).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from _context import describe
from _profile import summary
from _system import ROOT, VAR, System, connect, fresh_database, fresh_vhost

from e2e import run_waves

OUTBOXES = ("proposals_outbox", "disbursement_outbox")
CLONE = """
INSERT INTO {table} (event_id, type, subject, body, created_at, published_at)
SELECT %(tag)s || event_id, type, replace(subject, 'E2E-', %(pid)s),
       replace(jsonb_set(body::jsonb, '{{id}}', to_jsonb(%(tag)s || event_id))::text,
               '"E2E-', '"' || %(pid)s),
       created_at, published_at
FROM {table} WHERE subject LIKE 'E2E-%%' AND event_id NOT LIKE 'c%%:%%' ORDER BY seq
"""


def load(url: str, amqp: str, proposals: int, copies: int, var: Path) -> None:
    system = System(url, amqp, var=var)
    try:
        system.start()
        run_waves(system, proposals, wave_timeout=1800)
    finally:
        system.stop()
    with connect(url) as db, db.cursor() as cur:
        for k in range(1, copies + 1):
            for table in OUTBOXES:
                cur.execute(CLONE.format(table=table), {"tag": f"c{k}:", "pid": f"C{k}-"})
            db.commit()


def count(url: str, sql: str) -> int:
    with connect(url) as db, db.cursor() as cur:
        cur.execute(sql)
        return int(cur.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=1000, help="applied by the services")
    parser.add_argument("--copies", type=int, default=2, help="copies of them added in SQL")
    parser.add_argument("--reuse", action="store_true", help="rebuild the previous run's logs")
    parser.add_argument("--profile", action="store_true", help="py-spy on the command")
    parser.add_argument("--name", default="rebuild", help="database grantflow_bench_<name>")
    args = parser.parse_args()
    db, vhost, var = f"grantflow_bench_{args.name}", f"grantflow-bench-{args.name}", VAR / args.name
    profile = var / "profile-rebuild.txt"
    print(describe(proposals=args.proposals, copies=args.copies, reuse=args.reuse), flush=True)
    url = f"postgresql://postgres@127.0.0.1:5432/{db}"
    if not args.reuse:
        url, amqp = fresh_database(db), fresh_vhost(vhost)
        started = time.perf_counter()
        load(url, amqp, args.proposals, args.copies, var)
        print(f"event logs made in {time.perf_counter() - started:.0f} s", flush=True)
    amqp = fresh_vhost(vhost)
    logs = sum(
        count(url, f"SELECT count(*) FROM {t} WHERE published_at IS NOT NULL") for t in OUTBOXES
    )
    system = System(url, amqp, services=("proposals", "disbursement"), var=var)
    try:
        system.start()
        bases = {p.service: p.base for p in system.procs}
        env = {**os.environ, "DATABASE_URL": url, "AMQP_URI": amqp}
        env |= {"REPORTING_PROPOSALS_URL": bases["proposals"]}
        env |= {"REPORTING_DISBURSEMENT_URL": bases["disbursement"]}
        cmd = [sys.executable, "-m", "grantflow_tools.cli", "reporting", "rebuild"]
        if args.profile:
            spy = [str(Path(sys.executable).parent / "py-spy"), "record", "--format", "raw"]
            cmd = [*spy, "--rate", "50", "-o", str(profile), "--", *cmd]
        started = time.perf_counter()
        done = subprocess.run(
            cmd,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=6 * 3600,
        )
        elapsed = time.perf_counter() - started
    finally:
        system.stop()
    if done.returncode:
        raise SystemExit(f"rebuild failed ({done.returncode}):\n{done.stderr[-3000:]}")
    inbox = count(url, "SELECT count(*) FROM reporting_inbox")
    print(done.stdout.strip())
    print(f"event logs: {logs:,} events; reporting's inbox after the rebuild: {inbox:,}")
    print(f"rebuild: {elapsed:.1f} s, {logs / elapsed:,.0f} events/s (target 10,000)")
    resources = system.resources()
    for service, (rss, cpu) in resources.items():
        print(f"  {service:14} (serving its log) peak RSS {rss / 2**20:6.1f} MB  CPU {cpu:6.1f} s")
    if args.profile:
        print(f"profile of the rebuild ({profile}):\n{summary([profile])}")
    if inbox != logs:
        raise SystemExit("the rebuild did not apply every event of the logs")


if __name__ == "__main__":
    main()
