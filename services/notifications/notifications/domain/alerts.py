"""From the events other services announce to alerts, and how an alert changes.

province_lagging     -> fires (or changes level) "province_lagging:80:2016:national"
province_recovered   -> resolves it
province_forecast_short -> fires at its level, or resolves at level normal
proposal_overdue     -> a fact per proposal and reason
tranche_overdue      -> a fact per proposal and tranche
repayment_overdue    -> a fact per proposal and instalment
settlement_recorded  -> "refund_due" when the beneficiary must pay back; else nothing
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import Enum
from typing import Any

from grantflow.domain import Scope
from notifications.domain.model import STATE_KINDS, Alert, Level, Status

EVENT_TYPES: tuple[str, ...] = (
    "province_lagging",
    "province_recovered",
    "province_forecast_short",
    "proposal_overdue",
    "tranche_overdue",
    "repayment_overdue",
    "settlement_recorded",
)

FACT_LEVELS = {
    "proposal_overdue": Level.WATCH,
    "tranche_overdue": Level.WARNING,
    "repayment_overdue": Level.WARNING,
    "refund_due": Level.WATCH,
}


@dataclass(frozen=True, slots=True)
class Signal:
    """What one event says about one alert: it fires at a level, or it is resolved."""

    fingerprint: str
    kind: str
    firing: bool
    level: Level
    scope: Scope  # the province, year and fund the alert is about
    data: Mapping[str, Any]
    proposal_id: str | None = None
    version: int | None = None


class Urgency(Enum):
    NONE = "none"  # nothing a recipient needs to hear now
    GROUP = "group"  # news: tell after group_wait, together with the rest of the province
    NOW = "now"  # a higher level: tell at once


def signal_of(event_type: str, data: Mapping[str, Any], version: int | None) -> Signal | None:
    """The alert signal an event carries, or None when it carries none (no refund due)."""
    scope = Scope.of(data)
    key = scope.key
    pid = data.get("proposal_id")
    kind: str
    level: Level
    match event_type:
        case "province_lagging":
            kind, fp, level = event_type, f"province_lagging:{key}", Level.of(data["level"])
        case "province_recovered":
            kind, fp, level = "province_lagging", f"province_lagging:{key}", Level.NORMAL
        case "province_forecast_short":
            kind, fp, level = event_type, f"{event_type}:{key}", Level.of(data["level"])
        case "proposal_overdue":
            kind, fp = event_type, f"{event_type}:{key}:{pid}:{data['reason']}"
        case "tranche_overdue":
            kind, fp = event_type, f"{event_type}:{key}:{pid}:{data['tranche_index']}"
        case "repayment_overdue":
            kind, fp = event_type, f"{event_type}:{key}:{pid}:{data['instalment_index']}"
        case "settlement_recorded":
            if data["refund_due_vnd"] <= 0:
                return None
            kind, fp = "refund_due", f"refund_due:{key}:{pid}"
        case _:
            raise ValueError(f"no alert comes from {event_type}")
    if kind in FACT_LEVELS:
        level = FACT_LEVELS[kind]
    return Signal(
        fingerprint=fp,
        kind=kind,
        firing=event_type != "province_recovered" and level != Level.NORMAL,
        level=level,
        scope=scope,
        data=dict(data),
        proposal_id=pid,
        version=version if kind in STATE_KINDS else None,
    )


def _stale(current: Alert, signal: Signal) -> bool:
    return (
        current.version is not None
        and signal.version is not None
        and signal.version <= current.version
    )


def transition(
    current: Alert | None, signal: Signal, now: datetime
) -> tuple[Alert | None, Urgency]:
    """The alert after `signal`, and how soon recipients must hear of it.

    Returns `(None, NONE)` when nothing changes: a stale or repeated announcement, a recovery
    of what was not firing, a fact announced again under a new event id.
    """
    if current is not None and _stale(current, signal):
        return None, Urgency.NONE
    if not signal.firing:
        if current is None or current.status != Status.FIRING:
            return None, Urgency.NONE
        resolved = _changed(current, signal, now, status=Status.RESOLVING, level=current.level)
        return resolved, Urgency.GROUP
    if current is None or (current.status == Status.RESOLVED and current.is_state):
        return _started(current, signal, now), Urgency.GROUP
    if not current.is_state:  # a fact is told once; its repetition is no news
        return None, Urgency.NONE
    # Firing, or resolved and not told yet: an update of the same episode.
    urgency = Urgency.NOW if signal.level > current.level else Urgency.NONE
    if current.status == Status.RESOLVING and urgency is Urgency.NONE:
        urgency = Urgency.GROUP  # the pending resolved notice is off; re-plan the group
    return _changed(current, signal, now, status=Status.FIRING, level=signal.level), urgency


def _started(previous: Alert | None, signal: Signal, now: datetime) -> Alert:
    told = {f.name: getattr(signal, f.name) for f in fields(Signal)}
    del told["firing"], told["scope"]
    return Alert(
        **told,
        **signal.scope._asdict(),
        status=Status.FIRING,
        episode=(previous.episode + 1) if previous else 1,
        starts_at=now,
        updated_at=now,
        revision=(previous.revision + 1) if previous else 1,
    )


def _changed(
    current: Alert, signal: Signal, now: datetime, *, status: Status, level: Level
) -> Alert:
    data = signal.data if signal.firing else {**current.data, "recovery": dict(signal.data)}
    return replace(
        current,
        status=status,
        level=level,
        data=data,
        updated_at=now,
        version=signal.version if signal.version is not None else current.version,
        revision=current.revision + 1,
    )
