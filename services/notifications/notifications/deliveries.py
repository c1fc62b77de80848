"""Deliveries: every email exists as a delivery row before it is sent; sending changes only
that row (sent, failed, or deferred with its error), a few at a time, with retries.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import eventlet

from notifications.adapters import delivery_store
from notifications.adapters.dialect import utc
from notifications.adapters.mailer import Outgoing, Permanent, SendFailed, Transient, deliver
from notifications.clock import now_utc
from notifications.domain.model import Recipient
from notifications.notifier import Kit

log = logging.getLogger(__name__)

SENDS_PER_TICK = 100


def delivery_row(
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


def send_due(kit: Kit, new_session: Any, now: datetime | None = None) -> None:
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


def send_one(kit: Kit, new_session: Any, did: int, now: datetime) -> None:
    """Send delivery `did` unless another replica has it; record sent, failed or deferred."""
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


def _after_transient(kit: Kit, row: Any, failure: Transient) -> tuple[dict[str, Any], str]:
    """Attempts spent: try again later, unless the email is too old to be worth it."""
    now = now_utc()
    created = utc(row.created_at)
    assert created is not None
    if now - created >= kit.give_up_after:
        return {"status": "failed", "last_error": f"gave up: {failure}"[:1000]}, "failed"
    later = now + kit.defer
    return {"last_error": str(failure)[:1000], "next_attempt_at": later}, "deferred"
