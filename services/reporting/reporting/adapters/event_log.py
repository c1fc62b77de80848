"""A service's event log over HTTP (`GET /api/v1/event-log`), page after page."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
import requests

from grantflow.auth import client_headers

PAGE = 5000  # the endpoint answers 10,000 at most; 5,000 keeps the serving service under 150 MB


def event_log(base_url: str, page: int = PAGE) -> Iterator[list[dict[str, Any]]]:
    """The log's pages in order; the next one is fetched while the caller works on this one."""
    with requests.Session() as http, ThreadPoolExecutor(1) as ahead:
        fetching = ahead.submit(_page, http, base_url, 0, page)
        while True:
            events, after = fetching.result()
            if not events:
                return
            fetching = ahead.submit(_page, http, base_url, after, page)
            yield events


def _page(
    http: requests.Session, base_url: str, after: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    r = http.get(
        f"{base_url}/api/v1/event-log",
        params={"after": after, "limit": limit},
        headers=client_headers(),
        timeout=120,
    )
    r.raise_for_status()
    body = orjson.loads(r.content)  # the whole page in one decode, in the fetching thread
    return body["events"], body["next"]
