"""The daily digest: once the digest hour has passed (Vietnam time), one pending delivery
per recipient who wants a digest and has not had today's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from grantflow.formatting import VIETNAM_TIME
from notifications.adapters import alert_store, delivery_store, recipient_store, silence_store
from notifications.domain.planning import plan_digest
from notifications.handlers.mail import Mail, Planned, delivery_row


def queue_digests(session: Session, mail: Mail, now: datetime, on: date | None = None) -> list[str]:
    """Plan the digests of `on` (default: today, once the digest hour has passed, Vietnam
    time); returns the ids of the recipients queued."""
    local = now.astimezone(VIETNAM_TIME)
    if on is None:
        if local.hour < mail.digest_hour:
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
        digest = plan_digest(r, alerts, silences, on, since, now, mail.domain)
        if digest is None:
            continue
        told = sorted({a.fingerprint for a in (*digest.firing, *digest.started, *digest.resolved)})
        planned = Planned(digest.key, digest.message_id, "digest", r, told)
        rows.append(delivery_row(mail, planned, mail.renderer.digest(digest, now), now))
        queued.append(r.id)
    delivery_store.add_deliveries(session, rows)
    session.commit()
    return queued
