"""The daily digest: once the digest hour has passed (Vietnam time), one pending delivery
per recipient who wants a digest and has not had today's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from grantflow.formatting import VIETNAM_TIME
from notifications.adapters import alert_store, delivery_store, recipient_store, silence_store
from notifications.clock import now_utc
from notifications.content import compose
from notifications.deliveries import delivery_row
from notifications.domain.planning import plan_digest
from notifications.notifier import Kit


def queue_digests(
    session: Session, kit: Kit, now: datetime | None = None, on: date | None = None
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
            delivery_row(
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
