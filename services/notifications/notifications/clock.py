"""The one clock of the notifications service: aware UTC, so stored times compare."""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)
