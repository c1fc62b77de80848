"""What became of one event, and how a batch of events is applied in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from grantflow.audit import AuditLog, Change, Entry
from grantflow.contract import Envelope
from grantflow.errors import Early, Refused, failure_text, is_data_error, unstorable
from grantflow.journal import Inbox


@dataclass(frozen=True, slots=True)
class Applied:
    """Applied; `changes` says what it changed, before and after, for the audit trail."""

    changes: tuple[Change, ...] = ()


@dataclass(frozen=True, slots=True)
class Duplicate:
    pass


@dataclass(frozen=True, slots=True)
class NotApplied:
    """Refused (dead-letter) or, when `error` is `Early`, to be retried later."""

    error: Refused

    @property
    def retryable(self) -> bool:
        return isinstance(self.error, Early)


Outcome = Applied | Duplicate | NotApplied

T = TypeVar("T")
log = logging.getLogger(__name__)


def decided(event: Envelope, rule: Callable[..., T], *args: Any) -> T | NotApplied:
    """What `rule(*args)` decides for one event of a batch; a refusal as the event's outcome,
    and so is a bug in the rule (retried later, so it does not hold the rest of the batch)."""
    try:
        return rule(*args)
    except Refused as error:
        return NotApplied(error)
    except Exception as exc:
        log.exception("rule for %s failed", event.type, extra={"event_id": event.id})
        return NotApplied(Early("handler_error", failure_text(exc)))


ApplyEvents = Callable[[Session, Sequence[Envelope]], list[Outcome]]
"""A service's rule: apply new events in order, returning one outcome each, without commit."""


def apply_batch(
    session: Session,
    inbox: Inbox,
    events: Sequence[Envelope],
    apply: ApplyEvents,
    audit: AuditLog | None = None,
    actor: str | None = None,
) -> list[Outcome]:
    """Apply a batch exactly once: inbox claim, the service's rule, release what was refused.

    Everything, the effects, the inbox rows, the outbox rows and the audit rows of what was
    applied (`actor`: the token subject of an HTTP post; else each event's source), commits
    in one transaction.
    """
    claimed = inbox.claim(session, events)
    fresh = [e for e, new in zip(events, claimed, strict=True) if new]
    results = iter(apply(session, fresh) if fresh else [])
    outcomes: list[Outcome] = [next(results) if new else Duplicate() for new in claimed]
    inbox.release(
        session,
        [e for e, o in zip(events, outcomes, strict=True) if isinstance(o, NotApplied)],
    )
    if audit is not None:
        audit.record(
            session,
            [
                Entry.of_change(change, e, actor)
                for e, o in zip(events, outcomes, strict=True)
                if isinstance(o, Applied)
                for change in o.changes
            ],
        )
    session.commit()
    return outcomes


def apply_one(
    session: Session,
    inbox: Inbox,
    event: Envelope,
    apply: ApplyEvents,
    audit: AuditLog | None = None,
    actor: str | None = None,
) -> dict[str, str]:
    """One event through the same path as a batch: the HTTP answer, or its `Refused`
    (`unstorable` when the database refuses what the event holds: a 422, never a 500)."""
    try:
        (outcome,) = apply_batch(session, inbox, [event], apply, audit, actor)
    except Exception as exc:
        if not is_data_error(exc):
            raise
        session.rollback()
        raise unstorable(exc) from None
    if isinstance(outcome, NotApplied):
        raise outcome.error
    label = "applied" if isinstance(outcome, Applied) else "duplicate"
    return {"id": event.id, "source": event.source, "outcome": label}
