"""What the notifications service does: events to alerts, due groups to deliveries, sending.

    apply_events   (ingest)  events -> alerts; the province's group becomes due
    flush          (timer)   due groups -> planned emails (delivery rows), notices, held
    send_due       (timer)   pending deliveries -> SMTP, with retries; sent or failed
    queue_digests  (timer)   once a day, a digest delivery per recipient who wants one

Every email exists as a delivery row before it is sent; sending changes only that row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import eventlet
from sqlalchemy.orm import Session

from grantflow.audit import Change
from grantflow.contract import Envelope
from grantflow.formatting import VIETNAM_TIME
from grantflow.outcomes import Applied, Outcome
from notifications.adapters import (
    alert_store,
    delivery_store,
    group_store,
    recipient_store,
    silence_store,
)
from notifications.adapters.dialect import utc
from notifications.adapters.mailer import Outgoing, Permanent, SendFailed, Transient, deliver
from notifications.content import compose
from notifications.domain.alerts import EVENT_TYPES, Urgency, signal_of, transition
from notifications.domain.model import Alert, Recipient
from notifications.domain.planning import Email, Held, plan_digest, plan_group
from notifications.notifier import Notifier

log = logging.getLogger(__name__)

__all__ = ["EVENT_TYPES", "apply_events", "flush", "queue_digests", "send_due"]

GROUPS_PER_FLUSH = 50
SENDS_PER_TICK = 100


def now_utc() -> datetime:
    return datetime.now(UTC)


# Events -> alerts -------------------------------------------------------------------------


def apply_events(session: Session, events: Sequence[Envelope], group_wait: float) -> list[Outcome]:
    """Apply a batch in order. An event that carries no alert is applied as a no-op."""
    now = now_utc()
    signals = [signal_of(e.type, e.data, e.version) for e in events]
    group_store.lock_groups(session, (s.province for s in signals if s), now)
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


# Due groups -> deliveries -----------------------------------------------------------------


def flush(session: Session, kit: Notifier, now: datetime | None = None) -> int:
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
        alert_store.settle(session, plan.settled, now)
        next_due = plan.next_due
        if next_due is not None and next_due <= now:  # never spin on a past time
            next_due = now + kit.flush_interval
        group_store.set_due(session, key, next_due, now)
    session.commit()
    return planned


def _alert_row(kit: Notifier, e: Email, now: datetime) -> dict[str, Any]:
    rendered = kit.renderer.alert_email(e, now)
    raw = compose(
        rendered, kit.sender, e.recipient, e.message_id, now, e.in_reply_to, e.references, e.group
    )
    return _delivery_row(
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


def _delivery_row(
    *,
    key: tuple[str, str, str],
    message_id: str,
    kind: str,
    group: str | None,
    recipient: Recipient,
    subject: str,
    raw: bytes,
    now: datetime,
    alerts: list[str],
) -> dict[str, Any]:
    """A pending delivery: the key, the message exactly as it will be sent, due now."""
    return {
        "fingerprint": key[0],
        "recipient_id": key[1],
        "window": key[2],
        "message_id": message_id,
        "kind": kind,
        "group_key": group,
        "recipient_email": recipient.email,
        "language": recipient.language,
        "subject": subject[:1000],
        "alerts": alerts,
        "message": raw.decode("utf-8"),
        "status": "pending",
        "attempts": 0,
        "last_error": None,
        "created_at": now,
        "next_attempt_at": now,
        "sent_at": None,
    }


def _held_row(h: Held, now: datetime) -> dict[str, Any]:
    return {
        "fingerprint": h.alert.fingerprint,
        "recipient_id": h.recipient.id,
        "silence_id": h.silence.id,
        "episode": h.alert.episode,
        "level": h.alert.level.label,
        "held_at": now,
    }


# Deliveries -> SMTP -----------------------------------------------------------------------


def send_due(kit: Notifier, new_session: Any, now: datetime | None = None) -> None:
    """Send what is pending and due, a few at a time; each delivery locked while it is sent."""
    now = now or now_utc()
    with new_session() as session:
        ids = delivery_store.due_deliveries(session, now, SENDS_PER_TICK)
    pool = eventlet.GreenPool(kit.concurrency)
    for did in ids:
        pool.spawn_n(send_one, kit, new_session, did, now)
    pool.waitall()
    with new_session() as session:
        kit.metrics.backlog.set(delivery_store.pending_count(session))


def send_one(kit: Notifier, new_session: Any, did: int, now: datetime) -> None:
    with new_session() as session:
        row = delivery_store.claim_delivery(session, did, now)
        if row is None:  # sent, or being sent by another replica
            session.rollback()
            return
        made = 0

        def on_attempt(seconds: float, failure: SendFailed | None) -> None:
            nonlocal made
            made += 1
            kit.metrics.delivery_seconds.observe(seconds)
            if isinstance(failure, Transient) and made < kit.retry.attempts:
                kit.metrics.counted("retried")
                log.info("email %s: %s; retrying", row.message_id, failure)

        out = Outgoing(
            row.message_id, kit.sender.addr_spec, row.recipient_email, row.message.encode()
        )
        values: dict[str, Any]
        try:
            deliver(kit.mailer, out, kit.retry, on_attempt)
            values = {"status": "sent", "sent_at": now_utc(), "last_error": None}
            outcome = "sent"
        except Permanent as failure:
            values = {"status": "failed", "last_error": str(failure)[:1000]}
            outcome = "failed"
        except Transient as failure:
            values, outcome = _after_transient(kit, row, failure)
        delivery_store.record_attempt(session, did, attempts=row.attempts + made, **values)
        session.commit()
    kit.metrics.counted(outcome)
    level = logging.INFO if outcome == "sent" else logging.WARNING
    log.log(level, "email %s to %s: %s", row.message_id, row.recipient_email, outcome)


def _after_transient(kit: Notifier, row: Any, failure: Transient) -> tuple[dict[str, Any], str]:
    """Attempts spent: try again later, unless the email is too old to be worth it."""
    now = now_utc()
    created = utc(row.created_at)
    assert created is not None
    if now - created >= kit.give_up_after:
        return {"status": "failed", "last_error": f"gave up: {failure}"[:1000]}, "failed"
    later = now + kit.defer
    return {"last_error": str(failure)[:1000], "next_attempt_at": later}, "deferred"


# The daily digest -------------------------------------------------------------------------


def queue_digests(
    session: Session, kit: Notifier, now: datetime | None = None, on: date | None = None
) -> list[str]:
    """Plan today's digests (once the digest hour has passed, Vietnam time); returns ids."""
    now = now or now_utc()
    local = now.astimezone(VIETNAM_TIME)
    if on is None:
        if local.hour < kit.digest_hour:
            return []
        on = local.date()
    people = [r for r in recipient_store.recipients(session) if r.digest]
    keys = {r.id: ("digest", r.id, on.isoformat()) for r in people}
    done = delivery_store.existing_keys(session, keys.values())
    since = now - timedelta(days=1)
    alerts = alert_store.alerts_since(session, since)
    silences = silence_store.silences_in_force(session, now)
    rows, queued = [], []
    for r in people:
        if keys[r.id] in done:
            continue
        digest = plan_digest(r, alerts, silences, on, since, now, kit.domain)
        if digest is None:
            continue
        rendered = kit.renderer.digest(digest, now)
        raw = compose(rendered, kit.sender, r, digest.message_id, now)
        fps = sorted({a.fingerprint for a in (*digest.firing, *digest.started, *digest.resolved)})
        rows.append(
            _delivery_row(
                key=digest.key,
                message_id=digest.message_id,
                kind="digest",
                group=None,
                recipient=r,
                subject=rendered.subject,
                raw=raw,
                now=now,
                alerts=fps,
            )
        )
        queued.append(r.id)
    delivery_store.add_deliveries(session, rows)
    session.commit()
    return queued
