"""Who is told what about a province's alerts, and when: grouping, repeats, resolved notices.

Alertmanager's rules, per group (a province) and recipient, against a notice of what that
recipient was last told (its notification log):

- news (an alert new to the recipient, or at a higher level than told) -> an email listing
  every firing alert of the group the recipient follows;
- a resolved alert the recipient was told about -> a resolved notice, in the same thread;
- nothing new, but `repeat_interval` has passed since the last email while a state alert
  still fires -> the same email again (a repeat);
- otherwise nothing. What a silence mutes is held back and recorded, not sent.

Each email has a delivery key (content fingerprint, recipient, repeat window): the same content
to the same person is never planned twice within one repeat window, and the Message-ID is a
function of the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from notifications.domain.headers import message_id
from notifications.domain.model import Alert, Recipient, Silence, Status, muting

DeliveryKey = tuple[str, str, str]  # (fingerprint, recipient id, window)


@dataclass(frozen=True, slots=True)
class Notice:
    """What one recipient was last told about one group."""

    told: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # fp -> (episode, level)
    sent_at: datetime | None = None
    thread_root: str | None = None
    last_message_id: str | None = None

    def heard_of(self, alert: Alert) -> bool:
        """Told that this episode of the alert fires."""
        told = self.told.get(alert.fingerprint)
        return told is not None and told[0] == alert.episode

    def knows(self, alert: Alert) -> bool:
        """Told of this episode at this level or higher."""
        told = self.told.get(alert.fingerprint)
        return told is not None and told[0] == alert.episode and told[1] >= alert.level


@dataclass(frozen=True, slots=True)
class Email:
    recipient: Recipient
    group: str
    firing: tuple[Alert, ...]
    resolved: tuple[Alert, ...]
    news: frozenset[str]  # fingerprints new to the recipient or escalated
    key: DeliveryKey
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]

    @property
    def kind(self) -> str:
        return "firing" if self.firing else "resolved"

    @property
    def repeat(self) -> bool:
        return not self.news and not self.resolved


@dataclass(frozen=True, slots=True)
class Held:
    """An alert a silence kept from a recipient."""

    alert: Alert
    recipient: Recipient
    silence: Silence


@dataclass(frozen=True, slots=True)
class GroupPlan:
    emails: list[Email]
    held: list[Held]
    notices: dict[str, Notice]  # recipient id -> the notice after this plan (changed ones)
    to_resolve: list[Alert]  # resolved notices planned, facts announced: set to RESOLVED
    next_due: datetime | None  # the next repeat or the end of a silence; None: nothing waits


def content_fingerprint(firing: Sequence[Alert], resolved: Sequence[Alert]) -> str:
    """A hash of what an email says: which alerts, in which state, episode and level."""
    lines = sorted(
        f"{a.fingerprint}|{state}|{a.episode}|{int(a.level)}"
        for state, alerts in (("firing", firing), ("resolved", resolved))
        for a in alerts
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:32]


def repeat_window(now: datetime, repeat_interval: timedelta) -> str:
    """The number of the repeat interval `now` falls in (since the epoch)."""
    return str(int(now.timestamp() // max(repeat_interval.total_seconds(), 1)))


def plan_group(
    group: str,
    alerts: Sequence[Alert],
    recipients: Sequence[Recipient],
    silences: Sequence[Silence],
    notices: Mapping[str, Notice],
    now: datetime,
    repeat_interval: timedelta,
    domain: str,
) -> GroupPlan:
    """Plan a group's emails; `alerts` are the group's firing and resolving ones."""
    emails: list[Email] = []
    held: list[Held] = []
    after: dict[str, Notice] = {}
    wake: list[datetime] = []
    silence_list = list(silences)
    still_firing = {a.fingerprint for a in alerts if a.status == Status.FIRING}
    for r in recipients:
        notice = notices.get(r.id, Notice())
        firing: list[Alert] = []
        resolved: list[Alert] = []
        for a in (a for a in alerts if r.follows(a)):
            silence = muting(silence_list, a, now)
            if silence is not None:
                held.append(Held(a, r, silence))
                if a.is_state and a.status == Status.FIRING:
                    wake.append(silence.ends_at)
            elif a.status == Status.FIRING:
                firing.append(a)
            elif a.status == Status.RESOLVING and notice.heard_of(a):
                resolved.append(a)
        news = frozenset(a.fingerprint for a in firing if not notice.knows(a))
        states = [a for a in firing if a.is_state]
        repeat_due = bool(states) and (
            notice.sent_at is None or now >= notice.sent_at + repeat_interval
        )
        if news or resolved or repeat_due:
            email = _email(group, r, firing, resolved, news, notice, now, repeat_interval, domain)
            emails.append(email)
            after[r.id] = notice = _told(notice, email, states, still_firing, now)
        elif set(notice.told) - still_firing:
            after[r.id] = notice = _pruned(notice, still_firing)
        if states and notice.sent_at is not None:  # the next repeat
            wake.append(notice.sent_at + repeat_interval)
    to_resolve = [
        a
        for a in alerts
        if a.status == Status.RESOLVING or (a.status == Status.FIRING and not a.is_state)
    ]
    return GroupPlan(emails, held, after, to_resolve, min(wake) if wake else None)


def _email(
    group: str,
    r: Recipient,
    firing: list[Alert],
    resolved: list[Alert],
    news: frozenset[str],
    notice: Notice,
    now: datetime,
    repeat_interval: timedelta,
    domain: str,
) -> Email:
    key = (content_fingerprint(firing, resolved), r.id, repeat_window(now, repeat_interval))
    mid = message_id(key, domain)
    root = notice.thread_root
    references = tuple(dict.fromkeys(m for m in (root, notice.last_message_id) if m))
    return Email(
        recipient=r,
        group=group,
        firing=tuple(_ordered(firing)),
        resolved=tuple(_ordered(resolved)),
        news=news,
        key=key,
        message_id=mid,
        in_reply_to=root if root else None,
        references=references if root else (),
    )


def _told(
    notice: Notice, email: Email, states: list[Alert], still_firing: set[str], now: datetime
) -> Notice:
    """The notice after an email: the thread lives while a state alert it told of fires."""
    told = {fp: v for fp, v in notice.told.items() if fp in still_firing}  # e.g. silenced now
    told.update(
        {a.fingerprint: (a.episode, max(int(a.level), _told_level(notice, a))) for a in states}
    )
    if not told:
        return Notice({}, now, None, email.message_id)
    return Notice(told, now, notice.thread_root or email.message_id, email.message_id)


def _pruned(notice: Notice, still_firing: set[str]) -> Notice:
    """Forget alerts that stopped firing without a notice to this recipient (e.g. silenced)."""
    told = {fp: v for fp, v in notice.told.items() if fp in still_firing}
    root = notice.thread_root if told else None
    return Notice(told, notice.sent_at, root, notice.last_message_id)


def _told_level(notice: Notice, alert: Alert) -> int:
    told = notice.told.get(alert.fingerprint)
    return told[1] if told is not None and told[0] == alert.episode else 0


def _ordered(alerts: list[Alert]) -> list[Alert]:
    """Highest level first, state alerts before facts, then by fingerprint."""
    return sorted(alerts, key=lambda a: (-int(a.level), not a.is_state, a.fingerprint))


# The daily digest -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Digest:
    recipient: Recipient
    day: date
    firing: tuple[Alert, ...]  # state alerts firing now
    started: tuple[Alert, ...]  # alerts (states and facts) raised since `since`
    resolved: tuple[Alert, ...]  # state alerts resolved since `since`
    silenced: frozenset[str]  # fingerprints a silence mutes now
    key: DeliveryKey
    message_id: str


def plan_digest(
    r: Recipient,
    alerts: Sequence[Alert],
    silences: Sequence[Silence],
    day: date,
    since: datetime,
    now: datetime,
    domain: str,
) -> Digest | None:
    """A recipient's summary of the day, or None when there is nothing to say."""
    mine = [a for a in alerts if r.follows(a)]
    firing = [a for a in mine if a.is_state and a.status == Status.FIRING]
    started = [a for a in mine if a.starts_at >= since]
    resolved = [
        a for a in mine if a.is_state and a.status != Status.FIRING and a.updated_at >= since
    ]
    if not (firing or started or resolved):
        return None
    silenced = frozenset(a.fingerprint for a in mine if muting(list(silences), a, now))
    key = ("digest", r.id, day.isoformat())
    return Digest(
        r,
        day,
        tuple(_ordered(firing)),
        tuple(_ordered(started)),
        tuple(_ordered(resolved)),
        silenced,
        key,
        message_id(key, domain),
    )
