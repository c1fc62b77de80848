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
from notifications.clock import now_utc
from notifications.content import compose
from notifications.deliveries import delivery_row
from notifications.domain.planning import Email, Held, plan_group
from notifications.notifier import Kit

GROUPS_PER_FLUSH = 50


def flush(session: Session, kit: Kit, now: datetime | None = None) -> int:
    """Plan every due group (each locked, SKIP LOCKED); returns the emails planned."""
    now = now or now_utc()
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
            kit.repeat_interval,
            kit.domain,
        )
        planned += delivery_store.add_deliveries(
            session, [_alert_row(kit, e, now) for e in plan.emails]
        )
        group_store.save_notices(session, key, plan.notices)
        silence_store.add_held(session, [_held_row(h, now) for h in plan.held])
        alert_store.resolve(session, plan.to_resolve, now)
        next_due = plan.next_due
        if next_due is not None and next_due <= now:  # never spin on a past time
            next_due = now + kit.flush_interval
        group_store.set_due(session, key, next_due, now)
    session.commit()
    return planned


def _alert_row(kit: Kit, e: Email, now: datetime) -> dict[str, Any]:
    rendered = kit.renderer.alert_email(e, now)
    raw = compose(
        rendered, kit.sender, e.recipient, e.message_id, now, e.in_reply_to, e.references, e.group
    )
    return delivery_row(
        key=e.key,
        message_id=e.message_id,
        kind=e.kind,
        group=e.group,
        recipient=e.recipient,
        subject=rendered.subject,
        raw=raw,
        now=now,
        alerts=[a.fingerprint for a in (*e.firing, *e.resolved)],
    )


def _held_row(h: Held, now: datetime) -> dict[str, Any]:
    return {
        "fingerprint": h.alert.fingerprint,
        "recipient_id": h.recipient.id,
        "silence_id": h.silence.id,
        "episode": h.alert.episode,
        "level": h.alert.level.label,
        "held_at": now,
    }
