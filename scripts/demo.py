"""`make demo`: the proposals service on the local broker, fed the sample file.

Migrates a fresh SQLite database (unless DATABASE_URL is set), starts `grantflow run
proposals`, publishes the sample events over AMQP, waits until they are applied, prints what
happened, and stops the service (`--stay-up` keeps it running).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pika
import requests

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stay-up", action="store_true")
    args = parser.parse_args()
    amqp = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
    try:
        pika.BlockingConnection(pika.URLParameters(amqp)).close()
    except Exception as exc:
        print(
            f"RabbitMQ is not reachable at {amqp} ({type(exc).__name__}): start it with "
            "`rabbitmq-server -detached` (or `docker compose up -d rabbitmq`), or set AMQP_URI."
        )
        return 1
    VAR.mkdir(exist_ok=True)
    env = dict(os.environ, AMQP_URI=amqp, LOG_FORMAT="text", HTTP_HOST="127.0.0.1")
    if "DATABASE_URL" not in os.environ:
        (VAR / "demo.db").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{VAR / 'demo.db'}"
    base = f"http://127.0.0.1:{env.get('PROPOSALS_PORT', '8001')}"
    grantflow = [sys.executable, "-m", "grantflow.cli"]

    step("1. migrations", env["DATABASE_URL"])
    subprocess.run([*grantflow, "migrate"], env=env, check=True, cwd=ROOT)

    step("2. starting the proposals service", f"log: {VAR / 'proposals.log'}")
    log = (VAR / "proposals.log").open("w")
    service = subprocess.Popen(
        [*grantflow, "run", "proposals"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        await_condition(lambda: ready(base), 30, "the service to be ready")
        step("3. publishing the sample file over AMQP", "var/sample-events.jsonl")
        sample = VAR / "sample-events.jsonl"
        with sample.open("w") as out:
            subprocess.run([*grantflow[:1], "-m", "grantflow.samples"], stdout=out, check=True)
        subprocess.run([*grantflow, "publish", str(sample)], env=env, cwd=ROOT, check=True)
        expected = sum(1 for line in sample.read_text().splitlines() if "BAD-" not in line)
        await_condition(lambda: applied(base) >= expected, 60, "every event to be applied")
        report(base, amqp, expected)
        if args.stay_up:
            print(f"\nThe service stays up: {base}/api/v1/proposals (Ctrl-C to stop)")
            service.wait()
    except KeyboardInterrupt:
        pass
    finally:
        service.send_signal(signal.SIGTERM)
        code = service.wait(30)
        print(f"\nproposals service stopped (exit {code})")
    return 0


def step(title: str, detail: str = "") -> None:
    print(f"\n== {title}" + (f"  ({detail})" if detail else ""), flush=True)


def ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/health/ready", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def await_condition(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}; see var/proposals.log")
        time.sleep(0.1)


def applied(base: str) -> float:
    """Events the service has applied so far, from its own metrics."""
    text = requests.get(f"{base}/metrics", timeout=5).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("grantflow_events_consumed_total{") and 'outcome="applied"' in line
    )


def report(base: str, amqp: str, expected: int) -> None:
    step("4. what the service holds")
    items = requests.get(f"{base}/api/v1/proposals", params={"limit": 500}, timeout=5).json()
    by_province = Counter((p["province"], p["state"]) for p in items["items"])
    print(f"{items['total']} proposals; by province and state:")
    for (province, state), n in sorted(by_province.items()):
        print(f"  {province}  {state:<12} {n}")
    one = requests.get(f"{base}/api/v1/proposals/LA-2016-002", timeout=5).json()
    print("\nLA-2016-002's audit trail (its progress report came before its contract):")
    for h in one["history"]:
        print(
            f"  v{h['version']} {h['type']:<20} {h['state_before'] or '-':>12} -> "
            f"{h['state_after']:<12} from {h['source']}"
        )
    step("5. dead letters", "grantflow.lifecycle.dead")
    for headers, body in peek_dead_letters(amqp):
        print(f"  {headers.get('x-error-code')}: {headers.get('x-error-detail')}")
        print(f"    body kept as sent: {body[:90]!r}...")
    step("6. metrics", f"{base}/metrics")
    for line in requests.get(f"{base}/metrics", timeout=5).text.splitlines():
        if line.startswith(
            (
                "grantflow_events_consumed_total{",
                "grantflow_dead_letters_total{",
                "grantflow_outbox_backlog",
                "grantflow_events_published_total{",
            )
        ):
            print("  " + line)
    print(f"\nURLs: {base}/api/v1/proposals  {base}/metrics  {base}/health/ready")


def peek_dead_letters(amqp: str) -> list[tuple[dict, bytes]]:
    """Read the dead-letter queue without removing anything (unacked messages go back)."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp))
    channel = conn.channel()
    found = []
    while True:
        method, props, body = channel.basic_get("grantflow.lifecycle.dead", auto_ack=False)
        if method is None:
            break
        found.append((dict(props.headers or {}), body))
    conn.close()
    return found[-5:]


if __name__ == "__main__":
    sys.exit(main())
