"""Bearer tokens in tests.

Most tests are about something else than access control, so they get a token without asking:
`AUTH_JWT_SECRET` is set for this process and the services it starts (in-process or as
child processes) before any settings are read, and `default_token` (autouse, in
tests/conftest.py) gives every `requests` call made without an `Authorization` header a
central officer's token. Tests about access control send their own header (or
`Authorization: ""` for none), which the fixture leaves alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests

SECRET = "grantflow-test-secret-only-for-the-test-suite-0123456789"


def use_test_secret() -> None:
    os.environ.setdefault("AUTH_JWT_SECRET", SECRET)


def token(role: str = "central_officer", sub: str | None = None, **kw: Any) -> str:
    from grantflow.auth import issue

    return issue(role, sub or f"test-{role}", **kw)


def openapi_schema(path: Any) -> Any:
    """A schemathesis schema of the OpenAPI document at `path` that sends no Authorization
    header of its own (the document declares bearerAuth on every /api/ operation, and
    schemathesis would invent a token): `default_token` adds the suite's token instead."""
    import schemathesis

    schema = schemathesis.openapi.from_path(path)
    schema.config.generation.update(with_security_parameters=False)
    return schema


def header(role: str = "central_officer", **kw: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, **kw)}"}


@pytest.fixture(autouse=True)
def default_token(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Patches `requests.sessions.Session.request` (tests only): a request without an
    Authorization header gets a central officer's token; an explicit empty header is sent as
    no header at all, so a test can call an endpoint anonymously."""
    original = requests.sessions.Session.request
    default = header()

    def request(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        headers = dict(kwargs.get("headers") or {})
        names = {name.lower(): name for name in headers}
        if "authorization" not in names:
            headers.update(default)
        elif not headers[names["authorization"]]:
            del headers[names["authorization"]]
        kwargs["headers"] = headers
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.sessions.Session, "request", request)
    yield
