"""End to end: the four services as processes on PostgreSQL, full lifecycles, against floors.

    .venv/bin/python bench/e2e.py [--proposals 2300] [--rate 200] [--latency-seconds 30]
                                  [--replicas 2] [--profile] [--wave-timeout 600]

A database (grantflow_bench_e2e) and a RabbitMQ vhost (grantflow-bench-e2e) of its own, made
afresh per run (`--name x`: grantflow_bench_x, logs in var/bench/x/). `grantflow run <service>`
for proposals, disbursement, reporting and notifications, one process per replica. Then:
1. floors on the same messages: pika + one INSERT commit (and ack) per message; pika + one
   commit per 100 with one multiple ack (bench/_floors.py);
2. the proposals' lifecycles in four waves (bench/_lifecycles.py: 9 events per proposal, the
   default 2,300 proposals give 20,710 events), each published in AMQP transactions of 500 and
   timed until every service has applied it: the services' inbox rows are counted in SQL
   (an inbox row is written in the same transaction as the change it stands for);
3. latency from publish to reporting's projection at `--rate` events/s (bench/_latency.py);
4. each service's peak resident memory and CPU seconds (psutil).
With `--replicas 2` it runs the whole again with two processes per service (each queue has
a single active consumer, the other replica standing by: docs/capacity.md, "Per-proposal order
with replicas"), prints both runs' throughput side by side, and checks that no event was
dead-lettered and that every province's committed, disbursed, refund due and owed (as
disbursement's `disbursement-rates` sums them) and its ledger per kind equal the one-replica
run's and the events' own totals, to the dong. `--profile` runs py-spy on every
process during the waves and prints the top frames (raw stacks in var/bench/). Every wait is
bounded; the services are stopped however the run ends.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from datetime import date
from typing import Any

from _context import describe
from _floors import floor
from _latency import measure
from _lifecycles import YEAR, expected_ledger, waves
from _profile import summary
from _system import VAR, System, connect, fresh_database, fresh_vhost, publish
from sqlalchemy.orm import Session

DEAD_LETTERS = (  # reporting keeps every dead letter of the system
    "SELECT type, code, count(*), min(detail) FROM reporting_dead_letter GROUP BY 1, 2"
)
COUNTS = {
    "proposals": "SELECT count(*) FROM proposals_inbox",
    "disbursement": "SELECT count(*) FROM disbursement_inbox",
    "reporting": "SELECT count(*) FROM reporting_inbox",
}


def run_waves(system: System, proposals: int, wave_timeout: float) -> list[dict]:
    db = connect(system.database_url)
    db.autocommit = True
    cur = db.cursor()
    target = dict.fromkeys(COUNTS, 0)
    results = []
    for wave in waves(proposals):
        target = {s: target[s] + getattr(wave, s) for s in COUNTS}
        bodies = [(e["type"], json.dumps(e).encode()) for e in wave.events]
        start = time.perf_counter()
        publish_s = publish(system.amqp_uri, bodies)
        done: dict[str, float] = {}
        deadline = start + wave_timeout
        while len(done) < len(COUNTS):
            for service, sql in COUNTS.items():
                if service not in done:
                    cur.execute(sql)
                    have = cur.fetchone()[0]
                    if have >= target[service]:
                        done[service] = time.perf_counter() - start
            cur.execute(DEAD_LETTERS)
            if dead := cur.fetchall():
                raise SystemExit(
                    f"wave {wave.name}: events were dead-lettered, the run cannot be right:\n"
                    + "\n".join(f"  {n} x {t} {code}: {detail}" for t, code, n, detail in dead)
                )
            if time.perf_counter() > deadline:
                now = {s: (cur.execute(q), cur.fetchone()[0])[1] for s, q in COUNTS.items()}
                raise SystemExit(
                    f"wave {wave.name}: not applied in time; have {now}, want {target}"
                    f" (dead letters are logged in {system.var}/*.log)"
                )
            system.alive()
            time.sleep(0.05)
        results.append({"wave": wave, "publish_s": publish_s, "done": done})
        print(f"  {wave_line(results[-1])}", flush=True)
    db.close()
    return results


def ledger(database_url: str) -> dict[tuple[str, str], int]:
    """(province, kind) -> dong in disbursement's ledger, and (province, "rates") -> its
    (committed, disbursed, refund due, owed) as `disbursement-rates` answers them."""
    with connect(database_url) as db, db.cursor() as cur:
        cur.execute(
            "SELECT province, kind, sum(amount_vnd) FROM disbursement_ledger"
            " WHERE proposal_id LIKE 'E2E-%' GROUP BY province, kind"
        )
        out: dict[tuple[str, str], Any] = {(p, k): int(v) for p, k, v in cur.fetchall()}
    for row in rates(database_url)["items"]:
        figures = ("committed_vnd", "disbursed_vnd", "refund_due_vnd", "owed_vnd")
        out[(row["province"], "rates")] = tuple(row[f] for f in figures)
    return out


def rates(database_url: str) -> dict[str, Any]:
    from disbursement.views import disbursement_rates
    from grantflow.db import make_engine

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return disbursement_rates(session, YEAR, None, date(YEAR, 12, 31), None)
    finally:
        engine.dispose()


def dead_letters(database_url: str) -> int:
    with connect(database_url) as db, db.cursor() as cur:
        cur.execute("SELECT count(*) FROM reporting_dead_letter")
        return int(cur.fetchone()[0])


def run(args: argparse.Namespace, replicas: int, with_floors: bool) -> dict:
    url, amqp = (
        fresh_database(f"grantflow_bench_{args.name}"),
        fresh_vhost(f"grantflow-bench-{args.name}"),
    )
    out: dict = {"replicas": replicas}
    if with_floors:
        sample = [json.dumps(e).encode() for w in waves(args.proposals) for e in w.events]
        out["floor_1"] = floor(amqp, url, sample, batch=1)
        out["floor_100"] = floor(amqp, url, sample, batch=100)
        print(
            f"floors measured: {out['floor_1']:,.0f} and {out['floor_100']:,.0f} msg/s", flush=True
        )
    system = System(url, amqp, replicas, var=VAR / args.name)
    try:
        system.start()
        if args.profile:
            system.profile(system.var)
        out["waves"] = run_waves(system, args.proposals, args.wave_timeout)
        system.end_profiles()
        out["load"] = os.getloadavg()  # as the waves end
        out["ledger"] = ledger(url)  # before the latency run adds its own proposals
        if args.latency_seconds > 0:
            try:
                out["latency"] = measure(amqp, url, args.rate, args.latency_seconds)
            except (SystemExit, Exception) as exc:  # keep the rest of the run's figures
                print(f"latency not measured: {exc}", flush=True)
    finally:
        system.stop()
    out["resources"] = system.resources()
    out["dead_letters"] = dead_letters(url)
    return out


def wave_line(w: dict) -> str:
    wave, done = w["wave"], w["done"]
    cells = "  ".join(
        f"{s} {t:6.1f} s {getattr(wave, s) / t:6,.0f}/s" if getattr(wave, s) else f"{s} -"
        for s, t in done.items()
    )
    return f"{wave.name:16}{len(wave.events):8,}{w['publish_s']:10.1f}   {cells}"


def report(r: dict) -> None:
    print(f"\n== {r['replicas']} replica(s) per service ==")
    total_events = total_s = 0.0
    print(f"{'wave':16}{'events':>8}{'publish s':>10}   done by: s from publish, its inbox rows/s")
    for w in r["waves"]:
        print(wave_line(w))
        total_events += len(w["wave"].events)
        total_s += max(w["done"].values())
    e2e = total_events / total_s
    r["e2e"] = e2e
    domain = sum(w["wave"].reporting for w in r["waves"])
    print(f"end to end: {total_events:,.0f} lifecycle events in {total_s:.1f} s = {e2e:,.0f}/s")
    print("  load average as the waves ended: " + " ".join(f"{x:.1f}" for x in r["load"]))
    print(f"  (reporting projected {domain:,} domain events: {domain / total_s:,.0f}/s)")
    if "latency" in r:
        lat = r["latency"]
        print(
            f"latency publish -> reporting projection at {lat['offered_per_s']:.0f} ev/s offered"
            f" ({lat['projected']}/{lat['events']} events): p50 {lat['p50_ms']:.0f} ms,"
            f" p95 {lat['p95_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms, max {lat['max_ms']:.0f} ms"
        )
    for service, (rss, cpu) in r["resources"].items():
        print(f"  {service:14} peak RSS {rss / 2**20:6.1f} MB   CPU {cpu:7.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=2300, help="9 events each (2,300: 20,710)")
    parser.add_argument("--rate", type=float, default=200.0, help="offered events/s for latency")
    parser.add_argument("--latency-seconds", type=float, default=30.0, help="0: no latency run")
    parser.add_argument("--replicas", type=int, default=1, choices=(1, 2))
    parser.add_argument("--profile", action="store_true", help="py-spy on every service")
    parser.add_argument("--name", default="e2e", help="database grantflow_bench_<name>, vhost")
    parser.add_argument("--wave-timeout", type=float, default=600.0, help="seconds per wave")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the services on the way out
    print(describe(proposals=args.proposals, rate=args.rate, replicas=args.replicas), flush=True)
    one = run(args, 1, with_floors=True)
    print(f"floor, 1 commit per message: {one['floor_1']:,.0f} msg/s")
    print(f"floor, 1 commit per 100, multiple ack: {one['floor_100']:,.0f} msg/s")
    report(one)
    print(f"ratio to floors: {one['e2e'] / one['floor_1']:.2f} of per-message,")
    print(f"                 {one['e2e'] / one['floor_100']:.3f} of batch-of-100")
    if args.profile:
        for service in ("proposals", "disbursement", "reporting", "notifications"):
            where = VAR / args.name
            print(f"\nprofile {service} ({where}/profile-{service}-*.txt):")
            print(summary(sorted(where.glob(f"profile-{service}-*.txt"))))
    want = expected(args.proposals)
    runs = [("one replica", one)]
    if args.replicas == 2:
        two = run(args, 2, with_floors=False)
        report(two)
        runs.append(("two replicas", two))
        side_by_side(one, two)
    ok = True
    for name, r in runs:
        match = r["ledger"] == want
        print(
            f"{name}: ledger and every province's committed, disbursed, refund due, owed equal"
            f" the events' totals to the dong: {match}; dead letters: {r['dead_letters']}"
        )
        ok &= match and r["dead_letters"] == 0
    if args.replicas == 2:
        same = one["ledger"] == two["ledger"]
        print(f"two replicas' ledger equals one replica's to the dong: {same}")
        ok &= same
    if not ok:
        sys.exit(1)


def expected(proposals: int) -> dict[tuple[str, str], Any]:
    """What the ledger must hold: the lifecycles' totals per kind, and per province
    (committed, disbursed, refund due, owed): every proposal settled at what was paid."""
    want: dict[tuple[str, str], Any] = dict(expected_ledger(proposals))
    for province in {p for p, _ in want}:
        paid = want[(province, "advance")] + want[(province, "final")]
        want[(province, "rates")] = (want[(province, "commitment")], paid, 0, 0)
    return want


def side_by_side(one: dict, two: dict) -> None:
    """Each wave's events/s until every service applied it, one replica beside two."""
    print(f"\n{'wave':16}{'events':>8}{'1 replica':>12}{'2 replicas':>12}   (events/s)")
    for w1, w2 in zip(one["waves"], two["waves"], strict=True):
        n = len(w1["wave"].events)
        r1, r2 = n / max(w1["done"].values()), n / max(w2["done"].values())
        print(f"{w1['wave'].name:16}{n:8,}{r1:12,.0f}{r2:12,.0f}")
    print(
        f"{'end to end':24}{one['e2e']:12,.0f}{two['e2e']:12,.0f}   two / one:"
        f" {two['e2e'] / one['e2e']:.2f}; load average now {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
