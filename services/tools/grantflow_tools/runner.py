"""Runs services in one process, each in its own nameko ServiceRunner on its own port.

SIGTERM or SIGINT stops them gracefully: consumers stop taking messages, the batch in hand is
applied and acknowledged, the outbox relay finishes its batch, then the process exits. A second
signal kills at once (unacknowledged messages are redelivered; the inbox de-duplicates them).
"""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.runners import ServiceRunner

from grantflow.config import settings
from grantflow_tools import logs
from grantflow_tools.registry import resolve

log = logging.getLogger("grantflow_tools.runner")


def nameko_config(service: str) -> dict[str, Any]:
    cfg = settings()
    return {
        "AMQP_URI": cfg.amqp_uri,
        "DATABASE_URL": cfg.database_url,
        "WEB_SERVER_ADDRESS": f"{cfg.http_host}:{cfg.port_of(service)}",
        "max_workers": 10,
    }


def run_services(names: list[str]) -> int:
    cfg = settings()  # raises ConfigError before anything starts
    logs.configure(cfg.log_level, cfg.log_format)
    runners = []
    for entry in resolve(names):
        runner = ServiceRunner(nameko_config(entry.name))
        runner.add_service(entry.load())
        runners.append((entry.name, runner))

    stopping: Event = Event()

    def on_signal(signum: int, _frame: Any) -> None:
        # Runs inside the hub: hand the work to a green thread, never block here.
        if stopping.ready():
            log.warning("second signal: exiting at once")
            os._exit(1)
        eventlet.spawn_n(stopping.send, signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for name, runner in runners:
        runner.start()
        log.info("%s started on http://%s:%d", name, cfg.http_host, cfg.port_of(name))
    signum = stopping.wait()
    log.info("signal %s: stopping services gracefully", signal.Signals(signum).name)
    for _, runner in runners:
        runner.stop()
    log.info("stopped")
    return 0
