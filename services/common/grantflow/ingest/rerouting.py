"""Where a message goes when it is not applied: a delay queue to try later, or the dead letters.

Either way it is republished on a confirming channel and acked only once the broker has
confirmed the copy, so nothing is lost between the two.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grantflow.amqp import persistent_message
from grantflow.audit import AuditTrail
from grantflow.contract import Envelope
from grantflow.errors import Refused
from grantflow.ingest.dead_letters import dead_letter_headers, refused_entry
from grantflow.ingest.screening import ATTEMPTS, FIRST_SEEN
from grantflow.metrics import ServiceMetrics
from grantflow.trust import connection_user, vouch

log = logging.getLogger(__package__)  # "grantflow.ingest", the name its log lines always had


@dataclass
class Rerouting:
    """Retries and dead letters of one consumer connection (its publisher and delay queues)."""

    publisher: Any  # a channel in confirm mode
    delay_queues: dict[float, str]  # retry delay in seconds -> its delay queue
    delays: Sequence[float]
    window: float  # seconds after first sight when an early event stops being retried
    dead_letter_queue: str
    container: Any
    metrics: ServiceMetrics

    def retry(self, message: Any, error: Refused, envelope: Envelope) -> None:
        """Back to the queue after the next delay, unless the retry window has passed."""
        headers = dict(message.headers or {})
        now_ms = int(time.time() * 1000)
        first_seen = _own(headers.get(FIRST_SEEN), now_ms)  # checked by `screening`
        attempts = _own(headers.get(ATTEMPTS), 0) + 1
        elapsed = (now_ms - first_seen) / 1000
        if elapsed >= self.window:
            detail = (
                f"{error.detail} (still not applicable after {attempts - 1} retries"
                f" over {elapsed:.0f} s)"
            )
            self.dead_letter(message, Refused(error.code, detail), envelope)
            return
        delay = self.delays[min(attempts - 1, len(self.delays) - 1)]
        headers.update({FIRST_SEEN: first_seen, ATTEMPTS: attempts})
        self._republish(message, headers, self.delay_queues[delay])
        message.ack()
        self.metrics.consumed.labels(self.metrics.service, envelope.type, "retried").inc()
        log.info(
            "event retried in %.0fs: %s",
            delay,
            error,
            extra=log_fields(envelope, message, error),
        )

    def dead_letter(self, message: Any, error: Refused, envelope: Envelope | None) -> None:
        """To the dead-letter queue, body unchanged, the reason in its headers; audited."""
        event_type = envelope.type if envelope else "invalid"  # never a raw type: label bound
        headers = dead_letter_headers(message, error, self.container.service_name)
        self._republish(message, headers, self.dead_letter_queue)
        message.ack()
        trail = AuditTrail.of(self.container)
        if trail is not None:
            trail.refused(refused_entry(message, error, envelope))
        self.metrics.dead_letters.labels(self.metrics.service, error.code).inc()
        self.metrics.consumed.labels(self.metrics.service, event_type, "dead_lettered").inc()
        log.warning(
            "event dead-lettered: %s",
            error,
            extra=log_fields(envelope, message, error),
        )

    def _republish(self, message: Any, headers: dict[str, Any], queue: str) -> None:
        properties = {k: v for k, v in message.properties.items() if k != "application_headers"}
        vouch(properties, headers, connection_user(self.publisher))  # the broker checks user_id
        properties["application_headers"] = headers
        self.publisher.basic_publish_confirm(
            persistent_message(message.body, properties),
            exchange="",
            routing_key=queue,
            mandatory=True,
        )


def _own(value: Any, default: int) -> int:
    return value if type(value) is int else default


def log_fields(envelope: Envelope | None, message: Any, error: Refused) -> dict[str, Any]:
    """What a JSON log line carries to find the event again: its id, source, type, the code."""
    return {
        "event_id": envelope.id if envelope else message.properties.get("message_id"),
        "event_source": envelope.source if envelope else None,
        "event_type": envelope.type if envelope else None,
        "error_code": error.code,
    }
