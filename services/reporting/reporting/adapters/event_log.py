"""A service's event log over HTTP (`GET /api/v1/event-log`), page after page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import requests

from grantflow.auth import client_headers


def event_log(base_url: str, page: int = 1000) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        r = requests.get(
            f"{base_url}/api/v1/event-log",
            params={"after": after, "limit": page},
            headers=client_headers(),
            timeout=30,
        )
        r.raise_for_status()
        body = r.json()
        yield from body["events"]
        if not body["events"]:
            return
        after = body["next"]
