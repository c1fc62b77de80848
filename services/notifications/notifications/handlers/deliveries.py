"""Deliveries: every email exists as a delivery row before it is sent; sending changes only
that row (sent, failed, or deferred with its error), a few at a time, with retries.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import eventlet

from notifications.adapters import delivery_store
from notifications.adapters.mailer import Outgoing, Permanent, SendFailed, Transient, deliver
from notifications.adapters.rows import utc
from notifications.handlers.mail import Mail

log = logging.getLogger(__name__)

SENDS_PER_TICK = 100


def send_due(mail: Mail, now: datetime) -> None:
    """Send what is pending and due, a few at a time; each delivery locked while it is sent."""
    with mail.sessions() as session:
        ids = delivery_store.due_deliveries(session, now, SENDS_PER_TICK)
    pool = eventlet.GreenPool(mail.concurrency)
    for did in ids:
        pool.spawn_n(send_one, mail, did, now)
    pool.waitall()
    with mail.sessions() as session:
        mail.metrics.backlog.set(delivery_store.pending_count(session))


def send_one(mail: Mail, did: int, now: datetime) -> None:
    """Send delivery `did` unless another replica has it; record sent, failed or deferred."""
    with mail.sessions() as session:
        row = delivery_store.claim_delivery(session, did, now)
        if row is None:  # sent, or being sent by another replica
            session.rollback()
            return
        made = 0

        def on_attempt(seconds: float, failure: SendFailed | None) -> None:
            nonlocal made
            made += 1
            mail.metrics.delivery_seconds.observe(seconds)
            if isinstance(failure, Transient) and made < mail.retry.attempts:
                mail.metrics.counted("retried")
                log.info("email %s: %s; retrying", row.message_id, failure)

        out = Outgoing(
            row.message_id, mail.sender.addr_spec, row.recipient_email, row.message.encode()
        )
        values: dict[str, Any]
        try:
            deliver(mail.mailer, out, mail.retry, on_attempt)
            values = {"status": "sent", "sent_at": mail.clock(), "last_error": None}
            outcome = "sent"
        except Permanent as failure:
            values = {"status": "failed", "last_error": str(failure)[:1000]}
            outcome = "failed"
        except Transient as failure:
            values, outcome = _after_transient(mail, row, failure)
        delivery_store.record_attempt(session, did, attempts=row.attempts + made, **values)
        session.commit()
    mail.metrics.counted(outcome)
    level = logging.INFO if outcome == "sent" else logging.WARNING
    log.log(level, "email %s to %s: %s", row.message_id, row.recipient_email, outcome)


def _after_transient(mail: Mail, row: Any, failure: Transient) -> tuple[dict[str, Any], str]:
    """Attempts spent: try again later, unless the email is too old to be worth it."""
    now = mail.clock()
    created = utc(row.created_at)
    assert created is not None
    if now - created >= mail.give_up_after:
        return {"status": "failed", "last_error": f"gave up: {failure}"[:1000]}, "failed"
    later = now + mail.defer
    return {"last_error": str(failure)[:1000], "next_attempt_at": later}, "deferred"
