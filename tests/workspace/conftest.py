"""The workspace in this process, configured through its environment for each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import pytest

from tests.support.services import free_port, is_ready
from tests.support.waiting import wait_until


@contextmanager
def _running(service_cls: type, amqp_uri: str, port: int) -> Iterator[str]:
    from nameko.runners import ServiceRunner

    runner = ServiceRunner({"AMQP_URI": amqp_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"})
    runner.add_service(service_cls)
    runner.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: is_ready(base), 30, "the workspace to be ready")
        yield base
    finally:
        runner.stop()


def _clear() -> None:
    from workspace.bootstrap import workspace
    from workspace.config import workspace_settings

    workspace.cache_clear()
    workspace_settings.cache_clear()


@pytest.fixture
def start_workspace(monkeypatch: pytest.MonkeyPatch, amqp_uri: str) -> Iterator[Callable[..., str]]:
    """`start_workspace(port, WORKSPACE_X=...)` -> its base URL (settings read afresh)."""
    from workspace.service import WorkspaceService

    with ExitStack() as stack:

        def start(port: int | None = None, **env: str) -> str:
            port = port or free_port()
            monkeypatch.setenv("WORKSPACE_PUBLIC_URL", f"http://127.0.0.1:{port}")
            for name, value in env.items():
                monkeypatch.setenv(name, value)
            _clear()
            return stack.enter_context(_running(WorkspaceService, amqp_uri, port))

        yield start
    _clear()
