"""Every grantflow service as a real process on loopback, with the 2016 scenario applied.

Used by the browser tests' fixture and, by hand, to look at the workspace:

    .venv/bin/python -m tests.browser.stack      # prints the URLs, Ctrl-C stops

Emails go to an aiosmtpd server on loopback (`Stack.smtp`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from grantflow_tools import scenario
from grantflow_tools.registry import SERVICES
from tests.support.services import ROOT, ServiceProcess, free_port, is_ready
from tests.support.waiting import wait_until

RECIPIENTS = ROOT / "services/notifications/recipients.example.yaml"
# The suite's 4 s retry window (tests/conftest.py) is too short for the scenario on a busy
# machine: a payment whose contract is still on its way would be dead-lettered. The services
# that wait on another's events get the production window; the proposals service keeps the
# short one, so that an early event for an unknown proposal is dead-lettered in seconds.
PATIENT = {
    name: {"INGEST_RETRY_WINDOW_SECONDS": "600"}
    for name in ("disbursement", "notifications", "reporting")
}


@dataclass
class Stack:
    procs: dict[str, ServiceProcess]
    env: dict[str, str]
    smtp: Any  # tests.integration.conftest.SmtpSink
    extra: dict[str, Any] = field(default_factory=dict)

    def base(self, service: str) -> str:
        return self.procs[service].base

    @property
    def workspace(self) -> str:
        return self.base("workspace")

    def api(self, service: str, path: str, token: str, **params: Any) -> Any:
        answer = requests.get(
            self.base(service) + path,
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        answer.raise_for_status()
        return answer.json()


def environment(amqp_uri: str, database_url: str, smtp_port: int) -> dict[str, str]:
    return {
        "AMQP_URI": amqp_uri,
        "DATABASE_URL": database_url,
        "REPORTING_LAG_INTERVAL_SECONDS": "86400",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "RECIPIENTS_FILE": str(RECIPIENTS),
        "GROUP_WAIT_SECONDS": "0.5",
        "FLUSH_INTERVAL_SECONDS": "0.2",
    }


@contextmanager
def running_stack(
    amqp_uri: str, database_url: str, extra_env: dict[str, str] | None = None
) -> Iterator[Stack]:
    """Start every service (the workspace last, pointed at the others); yields a `Stack`."""
    from aiosmtpd.controller import Controller

    from tests.integration.conftest import SmtpSink

    sink = SmtpSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = environment(amqp_uri, database_url, smtp.port) | (extra_env or {})
    with ExitStack() as stack:
        stack.callback(smtp.stop)
        procs: dict[str, ServiceProcess] = {}
        for name in SERVICES:
            if name == "workspace":
                continue
            procs[name] = _started(ServiceProcess(name, env | PATIENT.get(name, {})), stack)
        for name in ("proposals", "disbursement", "notifications", "reporting"):
            env[f"WORKSPACE_{name.upper()}_URL"] = procs[name].base
        if "workspace" in SERVICES:
            procs["workspace"] = _started(ServiceProcess("workspace", env), stack)
        yield Stack(procs, env, sink)


def _started(proc: ServiceProcess, stack: ExitStack, patience: float = 180) -> ServiceProcess:
    """`proc` started and ready: on a loaded machine a start can take longer than
    ServiceProcess's 30 s, so a slow one is given `patience` more while it is alive."""
    stack.callback(proc.stop)
    try:
        return proc.start()
    except AssertionError:
        assert proc.proc is not None and proc.proc.poll() is None, proc.output()
    wait_until(lambda: is_ready(proc.base), patience, f"{proc.service} to be ready at last")
    return proc


def publish_scenario(stack: Stack, directory: Path) -> None:
    """The 2016 southern-region scenario over AMQP, as `make demo` publishes it."""
    events = directory / "south-2016.jsonl"
    with events.open("w") as out:
        subprocess.run([sys.executable, "-m", "grantflow_tools.scenario"], stdout=out, check=True)
    done = subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", "publish", "--quiet", str(events)],
        env={**os.environ, **stack.env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def evaluate(stack: Stack, token: str) -> dict[str, Any]:
    answer = requests.post(
        stack.base("reporting") + "/api/v1/lag-evaluations",
        json={"as_of": scenario.AS_OF.isoformat()},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    answer.raise_for_status()
    return answer.json()


def _main() -> None:  # pragma: no cover - by hand
    import signal
    import tempfile
    import uuid

    import psycopg2

    from grantflow.auth import issue
    from grantflow.db import make_engine
    from grantflow_tools.migrate import upgrade
    from grantflow_tools.quiet import wait_until_quiet

    name = f"grantflow_ws{uuid.uuid4().hex[:6]}"
    admin = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    for entry in SERVICES.values():
        upgrade(entry, url)
    amqp = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/%2F")
    with running_stack(amqp, url) as stack:
        publish_scenario(stack, Path(tempfile.mkdtemp()))
        wait_until_quiet(make_engine(url), amqp, 180)
        evaluate(stack, issue("central_officer", "dev"))
        for n, p in stack.procs.items():
            print(n, p.base, p.log)
        print("token", issue("central_officer", "dev", ttl_seconds=86400))
        sys.stdout.flush()
        signal.pause()


if __name__ == "__main__":
    _main()
