"""The two floors of bench/e2e.py, measured on the same messages, broker and database.

- per message: pika consumes, INSERTs the body, commits, acks that one message;
- per batch: pika consumes, INSERTs 100 bodies in one statement, commits, acks all 100 with
  one `multiple` ack.
Both from a queue pre-loaded with every message, timed from the first delivery to the last ack.
"""

from __future__ import annotations

import time

import pika
from _system import connect
from psycopg2.extras import execute_values

QUEUE = "bench.floor"


def _preload(amqp_uri: str, bodies: list[bytes]) -> pika.BlockingConnection:
    conn = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    ch = conn.channel()
    ch.queue_declare(QUEUE, durable=True)
    ch.queue_purge(QUEUE)
    ch.tx_select()
    props = pika.BasicProperties(delivery_mode=2)
    for n, body in enumerate(bodies, 1):
        ch.basic_publish("", QUEUE, body, props)
        if n % 500 == 0:
            ch.tx_commit()
    ch.tx_commit()
    ch.close()
    return conn


def floor(amqp_uri: str, database_url: str, bodies: list[bytes], batch: int) -> float:
    """Messages per second with one commit (and one ack) per `batch` messages."""
    conn = _preload(amqp_uri, bodies)
    db = connect(database_url)
    with db.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_floor")
        cur.execute("CREATE TABLE bench_floor (id bigserial PRIMARY KEY, body text)")
    db.commit()
    ch = conn.channel()
    ch.basic_qos(prefetch_count=max(200, 2 * batch))
    state = {"n": 0, "start": 0.0, "pending": []}
    total = len(bodies)

    def flush(channel, tag: int) -> None:
        with db.cursor() as cur:
            execute_values(cur, "INSERT INTO bench_floor (body) VALUES %s", state["pending"])
        db.commit()
        channel.basic_ack(tag, multiple=batch > 1)
        state["pending"] = []

    def on_message(channel, method, _props, body: bytes) -> None:
        if state["n"] == 0:
            state["start"] = time.perf_counter()
        state["n"] += 1
        state["pending"].append((body.decode(),))
        if len(state["pending"]) >= batch or state["n"] == total:
            flush(channel, method.delivery_tag)
        if state["n"] == total:
            channel.stop_consuming()

    ch.basic_consume(QUEUE, on_message)
    ch.start_consuming()
    elapsed = time.perf_counter() - state["start"]
    ch.queue_delete(QUEUE)
    conn.close()
    with db.cursor() as cur:
        cur.execute("DROP TABLE bench_floor")
    db.commit()
    db.close()
    return total / elapsed
