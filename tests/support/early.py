"""Applying events as the ingest does: what is early is retried after the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from grantflow.errors import Early

T = TypeVar("T")


def retrying(events: Sequence[T], step: Callable[[T], None], name: Callable[[T], str]) -> None:
    """`step` each event in the order given; one raising `Early` waits and is tried again after
    the next is applied. Fails when none of those waiting can be applied."""
    waiting = list(events)
    while waiting:
        for event in waiting:
            try:
                step(event)
            except Early:
                continue
            waiting.remove(event)
            break
        else:
            raise AssertionError(f"stuck: {[name(e) for e in waiting]}")
