"""Alerts, recipients and silences: the notifications service's vocabulary.

Modelled on Prometheus Alertmanager, for business alerts. An alert has a fingerprint (what it
is about) and a level; alerts of one province form a group, and a recipient gets one email per
group at a time. `province_lagging` is a *state* alert: it fires until `province_recovered`
resolves it, and is repeated while it fires; so is `province_forecast_short`, resolved by its
own event at level normal. The other kinds are *facts* announced once (a
tranche overdue, a refund due): told once, never repeated, never resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Any

from grantflow.reference import region_members, region_names

KINDS: tuple[str, ...] = (
    "province_lagging",
    "province_forecast_short",
    "proposal_overdue",
    "tranche_overdue",
    "repayment_overdue",
    "refund_due",
)
STATE_KINDS = frozenset({"province_lagging", "province_forecast_short"})
LANGUAGES = ("vi", "en")
EVERY = "all"


class Level(IntEnum):
    NORMAL = 0
    WATCH = 1
    WARNING = 2
    CRITICAL = 3

    @classmethod
    def of(cls, name: str) -> Level:
        return cls[name.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


class Status(StrEnum):
    FIRING = "firing"
    RESOLVING = "resolving"  # resolved, and the resolved notice is still to be planned
    RESOLVED = "resolved"  # told (or a fact that has been announced): nothing more to do


@dataclass(frozen=True, slots=True)
class Alert:
    """``Alert("province_lagging:80:2016:national", "province_lagging", "80", 2016, ...)``."""

    fingerprint: str
    kind: str
    province: str
    year: int
    source_fund: str
    level: Level
    status: Status
    episode: int  # counts the times it started firing; a new episode is news again
    starts_at: datetime
    updated_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    proposal_id: str | None = None
    version: int | None = None  # the emitter's version of the subject: older events are stale
    revision: int = 1  # bumps on every change, so a flush only resolves what it has seen

    @property
    def is_state(self) -> bool:
        return self.kind in STATE_KINDS

    @property
    def group(self) -> str:
        """Alerts are grouped by province (Alertmanager's `group_by: [province]`)."""
        return self.province

    @property
    def on(self) -> date:
        """The day the evidence refers to (for a recovered province, the day it recovered)."""
        recovery = self.data.get("recovery") or {}
        raw = recovery.get("as_of") or self.data.get("as_of") or self.data.get("settled_on")
        return date.fromisoformat(raw) if raw else self.starts_at.date()


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person at the ministry or a province; `provinces` holds codes, region names or "all"."""

    id: str
    name: str
    email: str
    language: str = "vi"
    role: str = ""
    provinces: tuple[str, ...] = (EVERY,)
    kinds: tuple[str, ...] = (EVERY,)
    digest: bool = False
    origin: str = "api"  # "file" when it comes from RECIPIENTS_FILE, which then owns it

    def fields(self) -> dict[str, Any]:
        """What is stored and shown of a recipient (lists, for JSON and the table alike)."""
        return _plain_fields(self)

    def follows(self, alert: Alert) -> bool:
        if EVERY not in self.kinds and alert.kind not in self.kinds:
            return False
        return self.follows_province(alert.province, alert.on)

    def follows_province(self, code: str, on: date) -> bool:
        for wanted in self.provinces:
            if wanted in (EVERY, code):
                return True
            if wanted in region_names() and code in region_members(wanted, on):
                return True
        return False


@dataclass(frozen=True, slots=True)
class Silence:
    """Mutes the alerts of a province and/or a kind for a period, e.g. the year-end close."""

    id: str
    province: str | None
    kind: str | None
    starts_at: datetime
    ends_at: datetime
    comment: str
    created_by: str = ""

    def fields(self) -> dict[str, Any]:
        """What is shown and audited of a silence (times in ISO 8601)."""
        return _plain_fields(self)

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def mutes(self, alert: Alert, now: datetime) -> bool:
        return (
            self.active(now)
            and self.province in (None, alert.province)
            and self.kind in (None, alert.kind)
        )


def muting(silences: list[Silence], alert: Alert, now: datetime) -> Silence | None:
    """The silence that holds this alert back now, the one that ends last."""
    found = [s for s in silences if s.mutes(alert, now)]
    return max(found, key=lambda s: s.ends_at) if found else None


def _plain_fields(record: Recipient | Silence) -> dict[str, Any]:
    """A record's fields as JSON has them: tuples as lists, times in ISO 8601."""
    plain: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        plain[f.name] = value
    return plain
