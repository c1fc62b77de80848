"""What the application functions need to render, send and count emails (`Mail`), and the
pending delivery row every planned email becomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from typing import Any

from sqlalchemy.orm import Session

from notifications.adapters.email_metrics import EmailMetrics
from notifications.adapters.mailer import Mailer, RetryPolicy, mailer_for
from notifications.adapters.rendering import Renderer
from notifications.config import NotifySettings
from notifications.domain.message import Rendered, compose
from notifications.domain.model import Recipient
from notifications.domain.planning import DeliveryKey


@dataclass(frozen=True)
class Mail:
    """Plain values built once when the service starts (`bootstrap.Mailroom`), no nameko
    object: the renderer, the mailer and its retry policy, the metrics, the intervals, where
    a session comes from (one per email sent) and the clock."""

    renderer: Renderer
    mailer: Mailer
    retry: RetryPolicy
    metrics: EmailMetrics
    sender: Address
    repeat_interval: timedelta
    group_wait: float
    flush_interval: timedelta
    defer: timedelta
    give_up_after: timedelta
    digest_hour: int
    sessions: Callable[[], Session]
    clock: Callable[[], datetime]
    concurrency: int = 4

    @property
    def domain(self) -> str:
        """The sender's domain: the right-hand side of every Message-ID."""
        return str(self.sender.domain)

    @classmethod
    def of(
        cls,
        cfg: NotifySettings,
        metrics: EmailMetrics,
        sessions: Callable[[], Session],
        clock: Callable[[], datetime],
    ) -> Mail:
        return cls(
            renderer=Renderer(cfg.report_base_url, cfg.workspace_base_url),
            mailer=mailer_for(cfg),
            retry=RetryPolicy.of(cfg),
            metrics=metrics,
            sender=cfg.sender,
            repeat_interval=timedelta(seconds=cfg.repeat_interval_seconds),
            group_wait=cfg.group_wait_seconds,
            flush_interval=timedelta(seconds=cfg.flush_interval_seconds),
            defer=timedelta(seconds=cfg.smtp_defer_seconds),
            give_up_after=timedelta(seconds=cfg.smtp_give_up_seconds),
            digest_hour=cfg.digest_hour,
            sessions=sessions,
            clock=clock,
        )


@dataclass(frozen=True, slots=True)
class Planned:
    """An email planned for one recipient: its delivery key, Message-ID and thread."""

    key: DeliveryKey
    message_id: str
    kind: str  # firing | resolved | digest
    to: Recipient
    alerts: list[str]  # the fingerprints it tells of
    group: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()


def delivery_row(mail: Mail, planned: Planned, rendered: Rendered, now: datetime) -> dict[str, Any]:
    """A pending delivery: the key, the message exactly as it will be sent, due now."""
    raw = compose(
        rendered,
        mail.sender,
        planned.to,
        planned.message_id,
        now,
        planned.in_reply_to,
        planned.references,
        planned.group,
    )
    return {
        "fingerprint": planned.key[0],
        "recipient_id": planned.key[1],
        "window": planned.key[2],
        "message_id": planned.message_id,
        "kind": planned.kind,
        "group_key": planned.group,
        "recipient_email": planned.to.email,
        "language": planned.to.language,
        "subject": rendered.subject[:1000],
        "alerts": planned.alerts,
        "message": raw.decode("utf-8"),
        "status": "pending",
        "attempts": 0,
        "last_error": None,
        "created_at": now,
        "next_attempt_at": now,
        "sent_at": None,
    }
