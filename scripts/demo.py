"""`make demo`: the 2016 southern-region conference report, replayed through grantflow.

From a fresh clone (the Makefile has made the virtual environment): migrations, the services
as separate processes against the RabbitMQ at AMQP_URI, the scenario published over AMQP with
a progress bar, a wait until everything is applied, the lag evaluation as of 30/06/2016, and
then the regional report beside the report's own figures, the lagging provinces with their
reasons, where the alert emails went, and the URLs. `--stay-up` (`make up`) keeps the
services running; otherwise they stop cleanly (SIGTERM) at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from contextlib import ExitStack
from pathlib import Path

import pika
import requests

from grantflow.config import SERVICE_PORTS as PORTS  # each service's default port

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # nameko's, known

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
GRANTFLOW = [sys.executable, "-m", "grantflow_tools.cli"]
AUTH: dict[str, str] = {}  # the central officer's bearer token, from `grantflow token`


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stay-up", action="store_true")
    args = parser.parse_args()
    amqp = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
    if not reachable(amqp):
        print(
            f"RabbitMQ is not reachable at {amqp}: start it (`rabbitmq-server -detached`, "
            "or `docker compose up -d rabbitmq`) or set AMQP_URI."
        )
        return 1
    VAR.mkdir(exist_ok=True)
    env = demo_environment(amqp)
    AUTH["Authorization"] = "Bearer " + dev_token(env, "central_officer", "demo-central")
    from grantflow_tools.registry import SERVICES

    step("1. migrations", env["DATABASE_URL"])
    subprocess.run([*GRANTFLOW, "migrate"], env=env, check=True, cwd=ROOT)
    with ExitStack() as stack:
        step("2. services", ", ".join(f"{n} :{PORTS[n]}" for n in SERVICES) + "  (logs: var/log)")
        processes = [start(name, env, stack) for name in SERVICES]
        for name, _ in processes:
            await_ready(name)
        step("3. the scenario over AMQP", "var/south-2016.jsonl")
        events = VAR / "south-2016.jsonl"
        with events.open("w") as out:
            subprocess.run(
                [sys.executable, "-m", "grantflow_tools.scenario"], stdout=out, check=True
            )
        subprocess.run([*GRANTFLOW, "publish", str(events)], env=env, cwd=ROOT, check=True)
        wait_until_applied(env, amqp)
        step("4. lag evaluation as of 30/06/2016")
        evaluation = post("reporting", "/api/v1/lag-evaluations", {"as_of": "2016-06-30"})
        show_report()
        show_lagging(evaluation)
        show_mail(env, evaluation)
        print("\nURLs:")
        for name in SERVICES:
            print(f"  {name:<14} http://127.0.0.1:{PORTS[name]}/metrics")
        print(
            "  report         http://127.0.0.1:8004/api/v1/reports/regions/south_2016"
            "?period=2016-H1  (add &format=csv for Excel)"
        )
        print("  provinces      http://127.0.0.1:8004/api/v1/reports/provinces?as_of=2016-06-30")
        print(f"  (send the header `Authorization: {AUTH['Authorization']}`)")
        print(
            "\nWorkspace (in a browser): http://127.0.0.1:8005/sign-in\n"
            "  development sign-in: pick a role (central office, finance, auditor, or a\n"
            "  province officer with GSO codes such as 80), then the 2016 overview is at\n"
            "  http://127.0.0.1:8005/overview?year=2016&as_of=2016-06-30"
        )
        if args.stay_up:
            print("\nThe services stay up; Ctrl-C stops them.")
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
    print("\nservices stopped")
    return 0


def reachable(amqp: str) -> bool:
    try:
        pika.BlockingConnection(pika.URLParameters(amqp)).close()
        return True
    except Exception:
        return False


def dev_token(env: dict[str, str], role: str, sub: str) -> str:
    """A development token, as a person gets one: `grantflow token --role ... --sub ...`."""
    command = [*GRANTFLOW, "token", "--role", role, "--sub", sub, "--ttl", "86400"]
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def demo_environment(amqp: str) -> dict[str, str]:
    env = dict(
        os.environ,
        AMQP_URI=amqp,
        LOG_FORMAT="text",
        HTTP_HOST="127.0.0.1",
        GROUP_WAIT_SECONDS="2",
        MAIL_DIR=str(VAR / "mail"),
        RECIPIENTS_FILE=str(ROOT / "services/notifications/recipients.example.yaml"),
        REPORT_BASE_URL="http://127.0.0.1:8004",
        WORKSPACE_BASE_URL="http://127.0.0.1:8005",  # alert emails link to its screens
        WORKSPACE_PUBLIC_URL="http://127.0.0.1:8005",
        REPORTING_LAG_INTERVAL_SECONDS="86400",
    )
    if "DATABASE_URL" not in os.environ:
        # A fresh demo: a fresh SQLite file, no mail, and none of an earlier run's messages.
        (VAR / "demo.db").unlink(missing_ok=True)
        shutil.rmtree(VAR / "mail", ignore_errors=True)
        env["DATABASE_URL"] = f"sqlite:///{VAR / 'demo.db'}"
        empty_queues(amqp)
    return env


def empty_queues(amqp: str) -> None:
    from grantflow_tools.quiet import queue_names

    connection = pika.BlockingConnection(pika.URLParameters(amqp))
    channel = connection.channel()
    for queue in [*queue_names(), "grantflow.lifecycle.dead"]:
        try:
            channel.queue_purge(queue)
        except pika.exceptions.ChannelClosedByBroker:
            channel = connection.channel()
    connection.close()


def start(name: str, env: dict[str, str], stack: ExitStack) -> tuple[str, subprocess.Popen]:
    (VAR / "log").mkdir(exist_ok=True)
    log = (VAR / "log" / f"{name}.log").open("w")
    proc = subprocess.Popen(
        [*GRANTFLOW, "run", name], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )

    def stop() -> None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()

    stack.callback(stop)
    return name, proc


def url(service: str, path: str) -> str:
    return f"http://127.0.0.1:{PORTS[service]}{path}"


def await_ready(name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url(name, "/health/ready"), timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{name} did not become ready; see var/log/{name}.log")


def post(service: str, path: str, body: dict) -> dict:
    r = requests.post(url(service, path), json=body, headers=AUTH, timeout=60)
    r.raise_for_status()
    return r.json()


def get(service: str, path: str, **params: str) -> dict:
    r = requests.get(url(service, path), params=params, headers=AUTH, timeout=60)
    r.raise_for_status()
    return r.json()


def wait_until_applied(env: dict[str, str], amqp: str) -> None:
    from grantflow.db import make_engine
    from grantflow_tools.quiet import wait_until_quiet

    print("waiting until every event is applied in every service ...", flush=True)
    started = time.monotonic()
    wait_until_quiet(make_engine(env["DATABASE_URL"]), amqp, timeout=300)
    print(f"quiet in {time.monotonic() - started:.1f} s")


def step(title: str, detail: str = "") -> None:
    print(f"\n== {title}" + (f"  ({detail})" if detail else ""), flush=True)


def show_report() -> None:
    from grantflow_tools.scenario import compare
    from grantflow_tools.scenario.registry import compare_collaborators

    region = get("reporting", "/api/v1/reports/regions/south_2016", period="2016-H1")
    coverage = get("registry", "/api/v1/collaborators", region="south_2016", as_of="2016-06-30")
    rows = compare(region) + compare_collaborators(coverage)  # the last two from the registry
    print(
        f"\nRegional report, 20 southern provinces, first half of 2016 "
        f"({sum(r['matches'] for r in rows)}/{len(rows)} figures match the conference report)"
    )
    print(f"  {'figure':<38} {'report':>18} {'grantflow':>18}")
    for r in rows:
        mark = "✓" if r["matches"] else "✗"
        print(f"  {r['figure']:<38} {r['report']:>18} {r['grantflow']:>18}  {mark}")
    d = region["disbursement"]
    print(
        f"  {'disbursement rate (both funds)':<38} {'thấp (low)':>18} "
        f"{(d['rate'] or 0) * 100:>17.1f}%  (expected {d['expected_rate'] * 100:.0f}%)"
    )


def show_lagging(evaluation: dict) -> None:
    lagging = [p for p in evaluation["provinces"] if p["level"] != "normal"]
    print(f"\nLagging provinces on 30/06/2016: {len(lagging)}")
    for p in sorted(lagging, key=lambda p: (p["level"] != "critical", p["province"])):
        rate = f"{p['rate'] * 100:.1f}%" if p["rate"] is not None else "-"
        print(
            f"  {p['province_name']:<18} {p['source_fund']:<9} {p['level']:<9} "
            f"rate {rate:>6} (expected {p['expected_rate'] * 100:.0f}%), "
            f"{p['lagging_proposals']} of {p['proposals']} proposals behind"
        )
        for reason in p["reasons"][:3]:
            print(f"      {reason['proposal_id']}: {reason['reason']} - {reason['detail']}")
        if len(p["reasons"]) > 3:
            print(f"      ... and {len(p['reasons']) - 3} more")


def show_mail(env: dict[str, str], evaluation: dict) -> None:
    from grantflow_tools.registry import SERVICES

    if "notifications" not in SERVICES:
        return
    announced = len(evaluation["announced"])
    print(
        f"\nAlerts: {announced} announcements; emails (group wait "
        f"{env['GROUP_WAIT_SECONDS']} s) ..."
    )
    deadline = time.monotonic() + 60
    mail, seen, stable_since = Path(env["MAIL_DIR"]), -1, time.monotonic()
    while time.monotonic() < deadline:  # done when the count has not grown for 3 s
        count = len(list(mail.rglob("*.eml"))) if mail.exists() else 0
        if count != seen:
            seen, stable_since = count, time.monotonic()
        elif count and time.monotonic() - stable_since > 3:
            break
        time.sleep(0.5)
    files = sorted(mail.rglob("*.eml")) if mail.exists() else []
    print(f"  {len(files)} emails written to {mail} (no SMTP configured; set SMTP_HOST to send)")
    for f in files[:8]:
        print(f"    {f.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
