"""The system under bench: a fresh database and vhost, services as processes, their cost.

Each service runs as `grantflow run <name>` (one process per replica), its log in var/bench/.
A sampler thread reads every process's resident memory (peak) with psutil; CPU seconds are
read just before the process is stopped. `profile()` attaches py-spy to each process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pika
import psutil
import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"
PG = "postgresql://postgres@127.0.0.1:5432"
SERVICES = ("proposals", "disbursement", "reporting", "notifications")


def connect(url: str, timeout: float = 60) -> psycopg2.extensions.connection:
    """psycopg2.connect, tried again while the server has no free connection (a shared box)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return psycopg2.connect(url)
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def fresh_database(name: str) -> str:
    admin = connect(f"{PG}/postgres")
    admin.autocommit = True
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.cursor().execute(f"CREATE DATABASE {name}")
    admin.close()
    url = f"{PG}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    cmd = [sys.executable, "-m", "grantflow_tools.cli", "migrate"]
    subprocess.run(cmd, check=True, env=env, cwd=ROOT, capture_output=True)
    return url


def fresh_vhost(vhost: str) -> str:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True)
    perms = ["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]
    subprocess.run(perms, check=True)
    return f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Proc:
    service: str
    popen: subprocess.Popen[bytes]
    base: str
    ps: psutil.Process
    peak_rss: int = 0
    cpu_s: float = 0.0


@dataclass
class System:
    database_url: str
    amqp_uri: str
    replicas: int = 1
    services: tuple[str, ...] = SERVICES
    var: Path = VAR
    procs: list[Proc] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _profilers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, timeout: float = 90) -> None:
        self.var.mkdir(parents=True, exist_ok=True)
        base_env = {**os.environ, "DATABASE_URL": self.database_url, "AMQP_URI": self.amqp_uri}
        base_env |= {"LOG_LEVEL": "WARNING", "HTTP_HOST": "127.0.0.1"}
        for service in self.services:
            for r in range(self.replicas):
                port = _free_port()
                env = {**base_env, f"{service.upper()}_PORT": str(port)}
                with (self.var / f"{service}-{r}.log").open("wb") as log:
                    popen = subprocess.Popen(
                        [sys.executable, "-m", "grantflow_tools.cli", "run", service],
                        env=env,
                        cwd=ROOT,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                ps = psutil.Process(popen.pid)
                self.procs.append(Proc(service, popen, f"http://127.0.0.1:{port}", ps))
        deadline = time.monotonic() + timeout
        for p in self.procs:
            while not _ready(p.base):
                if p.popen.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{p.service} did not start; see {self.var}/{p.service}-*.log")
                time.sleep(0.2)
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for p in self.procs:
                with contextlib.suppress(psutil.Error):
                    p.peak_rss = max(p.peak_rss, p.ps.memory_info().rss)
            time.sleep(0.2)

    def alive(self) -> None:
        dead = [p.service for p in self.procs if p.popen.poll() is not None]
        if dead:
            raise SystemExit(f"service stopped during the run: {dead}; see {self.var}")

    def profile(self, out: Path, rate: int = 50) -> None:
        """py-spy on every process until `stop()`: collapsed stacks, one file per process."""
        out.mkdir(parents=True, exist_ok=True)
        for n, p in enumerate(self.procs):
            target = out / f"profile-{p.service}-{n}.txt"
            cmd = ["py-spy", "record", "--pid", str(p.popen.pid), "--format", "raw"]
            cmd += ["--rate", str(rate), "--nonblocking", "-o", str(target)]
            exe = Path(sys.executable).parent / "py-spy"
            cmd[0] = str(exe) if exe.exists() else cmd[0]
            self._profilers.append(
                subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )

    def end_profiles(self) -> None:
        for prof in self._profilers:
            prof.send_signal(signal.SIGINT)
        for prof in self._profilers:
            try:
                prof.wait(60)
            except subprocess.TimeoutExpired:
                prof.kill()
        self._profilers.clear()

    def stop(self) -> None:
        self.end_profiles()
        self._stop.set()
        for p in self.procs:
            try:
                t = p.ps.cpu_times()
                p.cpu_s = t.user + t.system + t.children_user + t.children_system
                p.peak_rss = max(p.peak_rss, p.ps.memory_info().rss)
            except psutil.Error:
                pass
            if p.popen.poll() is None:
                p.popen.terminate()
        for p in self.procs:
            try:
                p.popen.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(p.popen.pid, signal.SIGKILL)
                p.popen.wait()

    def resources(self) -> dict[str, tuple[int, float]]:
        """service -> (peak RSS bytes of its largest replica, CPU seconds of all replicas)."""
        out: dict[str, tuple[int, float]] = {}
        for p in self.procs:
            rss, cpu = out.get(p.service, (0, 0.0))
            out[p.service] = (max(rss, p.peak_rss), cpu + p.cpu_s)
        return out


def _ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/health/ready", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def publish(amqp_uri: str, bodies: list[tuple[str, bytes]], tx: int = 500) -> float:
    """Publish (routing key, body) pairs to grantflow.lifecycle in AMQP transactions of `tx`."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    ch = conn.channel()
    ch.tx_select()
    props = pika.BasicProperties(content_type="application/cloudevents+json", delivery_mode=2)
    start = time.perf_counter()
    for n, (key, body) in enumerate(bodies, 1):
        ch.basic_publish("grantflow.lifecycle", key, body, props)
        if n % tx == 0:
            ch.tx_commit()
    ch.tx_commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed
