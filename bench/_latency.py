"""Latency from publish to reporting's projection, at a steady offered rate.

New proposals' first four events (submission, appraisal, approval, contract) are published
one at a time at `rate` events/s, interleaved across proposals. Each proposals domain event
moves the proposal's version in reporting_stream (submission v1 ... contract v4), so a poller
that reads the versions every `poll` seconds sees when event k of a proposal was projected:
the first read showing version >= k. The poll interval bounds the error (a few ms).
"""

from __future__ import annotations

import json
import statistics
import threading
import time

import pika
from _lifecycles import waves
from _system import connect

POLL_S = 0.005


def measure(
    amqp_uri: str, database_url: str, rate: float, seconds: float, timeout: float = 120
) -> dict[str, float]:
    per = 4
    count = max(1, int(rate * seconds) // per)
    first = waves(count, prefix="LAT")[0].events[10:]  # skip the ten plans
    # interleave: step k of every proposal in a window of 25, so one proposal's events are
    # spread over time as a real centre's would be
    ordered = []
    for start in range(0, count, 25):
        group = range(start, min(start + 25, count))
        for k in range(per):
            ordered += [(first[i * per + k], f"LAT-{i:07d}", k + 1) for i in group]
    published: dict[tuple[str, int], float] = {}
    applied: dict[tuple[str, int], float] = {}
    stop = threading.Event()

    db = connect(database_url)  # before publishing: a poller that cannot connect ends the run
    db.autocommit = True

    def poll() -> None:
        seen: dict[str, int] = {}
        with db.cursor() as cur:
            while not stop.is_set():
                cur.execute(
                    "SELECT subject, version FROM reporting_stream "
                    "WHERE source = 'grantflow/proposals' AND subject LIKE 'LAT-%%'"
                )
                now = time.perf_counter()
                for subject, version in cur.fetchall():
                    for v in range(seen.get(subject, 0) + 1, version + 1):
                        applied[(subject, v)] = now
                    seen[subject] = max(seen.get(subject, 0), version)
                time.sleep(POLL_S)
        db.close()

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    conn = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    ch = conn.channel()
    props = pika.BasicProperties(content_type="application/cloudevents+json", delivery_mode=2)
    start = time.perf_counter()
    for n, (event, pid, version) in enumerate(ordered):
        due = start + n / rate
        while (now := time.perf_counter()) < due:
            time.sleep(min(0.002, due - now))
        body = json.dumps(event).encode()
        published[(pid, version)] = time.perf_counter()
        ch.basic_publish("grantflow.lifecycle", event["type"], body, props)
        conn.process_data_events(0)
    offered = len(ordered) / (time.perf_counter() - start)
    conn.close()
    deadline = time.perf_counter() + timeout
    while len(applied) < len(published) and time.perf_counter() < deadline:
        time.sleep(0.05)
    stop.set()
    poller.join(5)
    lat = sorted(1000 * (applied[k] - t) for k, t in published.items() if k in applied)
    if len(lat) < 2:
        raise SystemExit("latency: reporting projected nothing")
    q = statistics.quantiles(lat, n=100, method="inclusive")
    return {
        "events": len(published),
        "projected": len(lat),
        "offered_per_s": offered,
        "p50_ms": q[49],
        "p95_ms": q[94],
        "p99_ms": q[98],
        "max_ms": lat[-1],
    }
