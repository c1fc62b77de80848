"""Events to alerts: each warning moves its alert on, and the province's group becomes due.

News makes the group due after `group_wait`, together with the rest of the province; a
higher level makes it due at once; anything else leaves it as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from grantflow.audit import Change
from grantflow.contract import Envelope
from grantflow.outcomes import Applied, Outcome
from notifications.adapters import alert_store, group_store
from notifications.domain.alerts import Urgency, signal_of, transition
from notifications.domain.model import Alert


def apply_events(
    session: Session, events: Sequence[Envelope], group_wait: float, now: datetime
) -> list[Outcome]:
    """Apply a batch in order. An event that carries no alert is applied as a no-op."""
    signals = [signal_of(e.type, e.data, e.version) for e in events]
    group_store.lock_groups(session, (s.scope.province for s in signals if s), now)
    current = alert_store.load_alerts(session, (s.fingerprint for s in signals if s))
    changed: dict[str, tuple[Alert, str]] = {}
    due: dict[str, datetime] = {}
    outcomes: list[Outcome] = []
    for e, s in zip(events, signals, strict=True):
        if s is None:
            outcomes.append(Applied())
            continue
        before = current.get(s.fingerprint)
        alert, urgency = transition(before, s, now)
        if alert is None:
            outcomes.append(Applied())
            continue
        outcomes.append(
            Applied(
                (Change(alert.fingerprint, _audited(before), _audited(alert), alert.proposal_id),)
            )
        )
        current[s.fingerprint] = alert
        changed[s.fingerprint] = (alert, e.id)
        if urgency is not Urgency.NONE:
            wait = 0.0 if urgency is Urgency.NOW else group_wait
            when = now + timedelta(seconds=wait)
            due[alert.group] = min(due.get(alert.group, when), when)
    alert_store.save_alerts(session, list(changed.values()))
    for key, when in sorted(due.items()):
        group_store.bring_forward(session, key, when)
    return outcomes


def _audited(alert: Alert | None) -> dict[str, Any] | None:
    if alert is None:
        return None
    return {
        "status": alert.status.value,
        "level": alert.level.name.lower(),
        "episode": alert.episode,
    }
