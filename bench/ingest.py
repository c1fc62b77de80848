"""How many lifecycle events per second the proposals service applies, against the floor.

    .venv/bin/python bench/ingest.py [--events 20000]

The floor: pika consuming the same messages and committing one PostgreSQL INSERT per message
(then acking it). The service: `grantflow run proposals` as a real process draining a queue
pre-loaded with the same number of events (submission, appraisal, approval, contract for a
quarter as many proposals), timed from its first applied event to its last. Uses a database
and a RabbitMQ virtual host of its own, made afresh.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pika
import psycopg2
from _context import describe

from grantflow_tools import samples

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql://postgres@127.0.0.1:5432"
DB = "grantflow_bench"
VHOST = "grantflow-bench"
AMQP = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
QUEUE = "grantflow.lifecycle.proposals"


def bodies(n: int) -> list[bytes]:
    out = []
    for i in range(n // 4):
        pid = f"BENCH-{i:06d}"
        out += [
            samples.submitted(pid),
            samples.appraised(pid),
            samples.approved(pid),
            samples.contract_signed(pid),
        ]
    return [json.dumps(e).encode() for e in out]


def fresh_database() -> str:
    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin.cursor().execute(f"CREATE DATABASE {DB}")
    admin.close()
    url = f"{PG}/{DB}"
    subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", "migrate"],
        check=True,
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
    )
    return url


def fresh_vhost() -> None:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", VHOST], check=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"], check=True
    )


def preload(channel, exchange: str, key_of, payloads: list[bytes], queue: str) -> None:
    props = pika.BasicProperties(content_type="application/cloudevents+json", delivery_mode=2)
    for body in payloads:
        channel.basic_publish(exchange, key_of(body), body, props)
    while channel.queue_declare(queue, passive=True).method.message_count < len(payloads):
        time.sleep(0.05)


def floor(payloads: list[bytes], url: str) -> float:
    """pika consume + one INSERT committed per message + ack: messages per second."""
    conn = pika.BlockingConnection(pika.URLParameters(AMQP))
    ch = conn.channel()
    ch.queue_declare("bench.floor", durable=True)
    ch.queue_purge("bench.floor")
    preload(ch, "", lambda _: "bench.floor", payloads, "bench.floor")
    db = psycopg2.connect(url)
    db.cursor().execute("CREATE TABLE IF NOT EXISTS bench_floor (id serial, body text)")
    db.commit()
    ch.basic_qos(prefetch_count=200)
    done = {"n": 0, "start": 0.0}

    def on_message(channel, method, _props, body):
        if done["n"] == 0:
            done["start"] = time.perf_counter()
        cur = db.cursor()
        cur.execute("INSERT INTO bench_floor (body) VALUES (%s)", (body.decode(),))
        db.commit()
        channel.basic_ack(method.delivery_tag)
        done["n"] += 1
        if done["n"] == len(payloads):
            channel.stop_consuming()

    ch.basic_consume("bench.floor", on_message)
    ch.start_consuming()
    elapsed = time.perf_counter() - done["start"]
    conn.close()
    db.close()
    return len(payloads) / elapsed


def service(payloads: list[bytes], url: str) -> float:
    """`grantflow run proposals` draining the pre-loaded queue: events applied per second."""
    from kombu import Connection

    from grantflow.amqp import declare_consumer_queue, declare_lifecycle
    from grantflow.config import settings
    from proposals.handlers import ROUTING_KEYS

    cfg = settings()
    with Connection(AMQP) as kconn:
        kch = kconn.channel()
        declare_lifecycle(kch, cfg)
        declare_consumer_queue(
            kch, QUEUE, cfg.lifecycle_exchange, ROUTING_KEYS, cfg.ingest_retry_delays_seconds
        )
    conn = pika.BlockingConnection(pika.URLParameters(AMQP))
    preload(
        conn.channel(), cfg.lifecycle_exchange, lambda b: json.loads(b)["type"], payloads, QUEUE
    )
    conn.close()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "AMQP_URI": AMQP,
        "LOG_LEVEL": "WARNING",
        "PROPOSALS_PORT": "18001",
        "HTTP_HOST": "127.0.0.1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "grantflow_tools.cli", "run", "proposals"], env=env, cwd=ROOT
    )
    db = psycopg2.connect(url)
    db.autocommit = True
    first = last = 0.0
    try:
        while True:
            cur = db.cursor()
            cur.execute("SELECT count(*) FROM proposals_inbox")
            (applied,) = cur.fetchone()
            now = time.perf_counter()
            if applied and not first:
                first = now
            if applied >= len(payloads):
                last = now
                break
            if proc.poll() is not None:
                raise SystemExit("the service stopped before applying every event")
            time.sleep(0.01)
        cur.execute("SELECT count(*) FROM proposals_history")
        assert cur.fetchone()[0] == len(payloads), "not every event was applied"
    finally:
        proc.terminate()
        proc.wait(30)
        db.close()
    return len(payloads) / (last - first)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    payloads = bodies(args.events)
    url = fresh_database()
    fresh_vhost()
    floor_rate = floor(payloads, url)
    service_rate = service(payloads, url)
    batch = os.environ.get("INGEST_BATCH_SIZE", "200")
    print(describe(events=len(payloads), ingest_batch_size=batch, database=DB, vhost=VHOST))
    print(f"floor (pika consume + 1 INSERT committed per message): {floor_rate:,.0f} msg/s")
    print(f"proposals service (validate, apply, inbox, history, outbox): {service_rate:,.0f} ev/s")
    print(f"ratio service/floor: {service_rate / floor_rate:.2f}")


if __name__ == "__main__":
    main()
