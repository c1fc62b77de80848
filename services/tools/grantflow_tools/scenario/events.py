"""The scenario's CloudEvents: the envelope, numbered in order, and who sends which event."""

from __future__ import annotations

from datetime import date
from typing import Any

CENTRE = "urn:gso:{}:khuyencong-center"  # a province's industrial-promotion centre
MINISTRY = "urn:moit:arida"
TREASURY = "urn:kbnn:payments"


def local_time(day: date, hour: int = 9) -> str:
    """`day` at `hour` o'clock, Vietnam time (UTC+7)."""
    return f"{day.isoformat()}T{hour:02d}:00:00+07:00"


def cloud_event(
    kind: str, source: str, on: date, data: dict[str, Any], seq: list[int], run: str = "south2016"
) -> dict:
    """A lifecycle event as contract.md has it; `seq` numbers the run's events in turn, and
    the ids are `<run>-<number>`."""
    seq[0] += 1
    body = {
        "specversion": "1.0",
        "id": f"{run}-{seq[0]:06d}",
        "source": source,
        "type": kind,
        "time": local_time(on),
        "datacontenttype": "application/json",
        "data": data,
    }
    if "proposal_id" in data:
        body["subject"] = data["proposal_id"]
    return body
