"""A service's event log over HTTP (`GET /api/v1/event-log`), page after page."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import orjson
import requests

from grantflow.auth import client_headers

PAGE = 5000  # the endpoint answers 10,000 at most; 5,000 keeps the serving service under 150 MB
AHEAD = 4  # pages fetched and made ready while the caller works

T = TypeVar("T")


def event_log(
    base_url: str,
    each: Callable[[list[dict[str, Any]]], T],
    page: int = PAGE,
    ahead: int = AHEAD,
) -> Iterator[T]:
    """`each(page)` of the log's pages, in order. A thread fetches the pages, decodes them and
    applies `each` up to `ahead` pages before the caller: what it does in Python runs while
    the caller waits on its database (a wait that leaves the interpreter to other threads)."""
    ready: queue.Queue[tuple[T | None, BaseException | None, bool]] = queue.Queue(ahead)
    stop = threading.Event()

    def put(item: tuple[T | None, BaseException | None, bool]) -> None:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            with requests.Session() as http:
                after = 0
                while not stop.is_set():
                    events, after = _page(http, base_url, after, page)
                    if not events:
                        break
                    put((each(events), None, False))
            put((None, None, True))
        except BaseException as exc:  # handed to the caller, raised there
            put((None, exc, True))

    thread = threading.Thread(target=produce, name="event-log", daemon=True)
    thread.start()
    try:
        while True:
            item, error, done = ready.get()
            if error is not None:
                raise error
            if done:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=5)


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
    body = orjson.loads(r.content)  # the whole page in one decode
    return body["events"], body["next"]
