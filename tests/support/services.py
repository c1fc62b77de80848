"""Running services for tests: in this process (nameko ServiceRunner) or as a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import eventlet
import requests

from tests.support.waiting import wait_until

_blocking_subprocess = eventlet.patcher.original("subprocess")

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/health/ready", timeout=1).status_code == 200
    except requests.RequestException:
        return False


@contextmanager
def in_process(service_cls: type, amqp_uri: str, database_url: str, **extra: Any) -> Iterator[str]:
    """Start one service in this process; yields its base URL once it is ready."""
    from nameko.runners import ServiceRunner

    port = free_port()
    config = {
        "AMQP_URI": amqp_uri,
        "DATABASE_URL": database_url,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
        **extra,
    }
    runner = ServiceRunner(config)
    runner.add_service(service_cls)
    runner.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: is_ready(base), 20, f"{service_cls.name} to be ready")
        yield base
    finally:
        runner.stop()


class ServiceProcess:
    """`grantflow run SERVICE` as a child process, as operators run it."""

    def __init__(self, service: str, env: dict[str, str]) -> None:
        self.service = service
        self.port = free_port()
        self.env = {
            **os.environ,
            **env,
            f"{service.upper()}_PORT": str(self.port),
            "HTTP_HOST": "127.0.0.1",
        }
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkstemp(prefix=f"{service}-", suffix=".log")[1])

    def start(self) -> ServiceProcess:
        with self.log.open("ab") as log:  # a file, not a pipe: a full pipe would block it
            # The unpatched module: eventlet's green Popen waits on a pipe through the hub,
            # which has refused a second reader of a reused descriptor under load.
            self.proc = _blocking_subprocess.Popen(
                [sys.executable, "-m", "grantflow_tools.cli", "run", self.service],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(
            lambda: self.proc.poll() is not None or is_ready(self.base),
            30,
            f"{self.service} process to be ready",
        )
        assert self.proc.poll() is None, self.output()
        return self

    def signal(self, signum: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    def wait(self, timeout: float = 30) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
