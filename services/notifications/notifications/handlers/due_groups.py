"""Due groups to deliveries: each group whose wait, repeat or silence has run out is planned
into emails (pending deliveries), notices and held alerts, and given its next due time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from notifications.adapters import (
    alert_store,
    delivery_store,
    group_store,
    recipient_store,
    silence_store,
)
from notifications.domain.planning import Email, Held, plan_group
from notifications.handlers.mail import Mail, Planned, delivery_row

GROUPS_PER_FLUSH = 50


def flush(session: Session, mail: Mail, now: datetime) -> int:
    """Plan every due group (each locked, SKIP LOCKED); returns the emails planned."""
    keys = group_store.claim_due_groups(session, now, GROUPS_PER_FLUSH)
    if not keys:
        session.commit()
        return 0
    people = recipient_store.recipients(session)
    silences = silence_store.silences_in_force(session, now)
    planned = 0
    for key in keys:
        plan = plan_group(
            key,
            alert_store.group_alerts(session, key),
            people,
            silences,
            group_store.notices(session, key),
            now,
            mail.repeat_interval,
            mail.domain,
        )
        planned += delivery_store.add_deliveries(
            session, [_alert_row(mail, e, now) for e in plan.emails]
        )
        group_store.save_notices(session, key, plan.notices)
        silence_store.add_held(session, [_held_row(h, now) for h in plan.held])
        alert_store.resolve(session, plan.to_resolve, now)
        next_due = plan.next_due
        if next_due is not None and next_due <= now:  # never spin on a past time
            next_due = now + mail.flush_interval
        group_store.set_due(session, key, next_due, now)
    session.commit()
    return planned


def _alert_row(mail: Mail, e: Email, now: datetime) -> dict[str, Any]:
    told = [a.fingerprint for a in (*e.firing, *e.resolved)]
    planned = Planned(
        e.key, e.message_id, e.kind, e.recipient, told, e.group, e.in_reply_to, e.references
    )
    return delivery_row(mail, planned, mail.renderer.alert_email(e, now), now)


def _held_row(h: Held, now: datetime) -> dict[str, Any]:
    """What a silence held back: the alert's episode and level, from whom, by which silence."""
    alert = h.alert
    return dict(
        fingerprint=alert.fingerprint,
        episode=alert.episode,
        level=alert.level.label,
        recipient_id=h.recipient.id,
        silence_id=h.silence.id,
        held_at=now,
    )
