"""Commands on recipients and silences, from HTTP or from the recipients file.

A recipient from RECIPIENTS_FILE (a ConfigMap in Kubernetes) belongs to the file: the API
shows it but refuses to change it, and the next start makes the table match the file again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grantflow.audit import Acting
from grantflow.errors import Refused
from notifications.adapters import group_store, recipient_store, silence_store
from notifications.adapters.addresses import checked_email
from notifications.domain.model import Recipient, Silence
from notifications.domain.validation import Invalid, recipient_from, silence_from

READ_ONLY = frozenset({"id", "origin", "created_at", "updated_at"})  # echoed back by clients
FILE_NAMESPACE = uuid.UUID("6f1d3a52-5b8e-4f0e-9a57-2f0c1d2b7e01")


def _writable(raw: Any) -> Any:
    return {k: v for k, v in raw.items() if k not in READ_ONLY} if isinstance(raw, dict) else raw


def _recipient(raw: Any, rid: str, origin: str) -> Recipient:
    try:
        return recipient_from(_writable(raw), rid, origin, checked_email)
    except Invalid as exc:
        raise Refused("invalid_recipient", str(exc)) from None


def _wake_firing_groups(session: Session, now: datetime) -> None:
    """Plan the groups that fire, so a new or changed recipient hears of what fires now."""
    for key in group_store.groups_with_firing(session, None, None):
        group_store.bring_forward(session, key, now)


def _recorded(
    by: Acting | None,
    session: Session,
    action: str,
    subject: str,
    *states: Recipient | Silence | None,
) -> None:
    """Into the audit trail: the recipient's or silence's fields before and after."""
    if by is not None:
        before, after = (None if x is None else x.fields() for x in states)
        by.changed(session, action, subject, before, after)


def add_recipient(session: Session, raw: Any, now: datetime, by: Acting | None = None) -> Recipient:
    r = _recipient(raw, str(uuid.uuid4()), "api")
    if recipient_store.email_taken(session, r.email):
        raise Refused("recipient_exists", f"a recipient with email {r.email} exists already")
    recipient_store.add_recipient(session, r, now)
    _wake_firing_groups(session, now)
    _recorded(by, session, "recipient.created", r.id, None, r)
    session.commit()
    return r


def replace_recipient(
    session: Session, rid: str, raw: Any, now: datetime, by: Acting | None = None
) -> Recipient:
    current = _owned_by_api(session, rid)
    r = _recipient(raw, current.id, "api")
    if recipient_store.email_taken(session, r.email, other_than=rid):
        raise Refused("recipient_exists", f"a recipient with email {r.email} exists already")
    recipient_store.replace_recipient(session, r, now)
    _wake_firing_groups(session, now)
    _recorded(by, session, "recipient.replaced", rid, current, r)
    session.commit()
    return r


def delete_recipient(session: Session, rid: str, by: Acting | None = None) -> Recipient:
    current = _owned_by_api(session, rid)
    recipient_store.remove_recipient(session, rid)
    _recorded(by, session, "recipient.deleted", rid, current, None)
    session.commit()
    return current


def _owned_by_api(session: Session, rid: str) -> Recipient:
    current = recipient_store.find_recipient(session, rid)
    if current is None:
        raise Refused("not_found", f"no recipient {rid}")
    if current.origin == "file":
        raise Refused(
            "recipient_from_file",
            f"recipient {rid} comes from the recipients file (RECIPIENTS_FILE): change it there",
        )
    return current


def load_recipients_file(session: Session, path: Path, now: datetime) -> int:
    """Make the file's recipients those of `path`; raises ValueError naming the bad entry."""
    wanted = parse_recipients_file(path)
    for attempt in range(2):  # replicas starting together race on the same rows once
        try:
            recipient_store.sync_file_recipients(session, wanted, now)
            session.commit()
            return len(wanted)
        except IntegrityError:
            session.rollback()
            if attempt:
                raise
    return len(wanted)


def parse_recipients_file(path: Path) -> list[Recipient]:
    """``recipients: [{name, email, language, role, provinces, kinds, digest}, ...]``."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = loaded.get("recipients") if isinstance(loaded, dict) else loaded
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a list under 'recipients'")
    found: list[Recipient] = []
    for number, item in enumerate(items, 1):
        email = item.get("email", "") if isinstance(item, dict) else ""
        rid = str(uuid.uuid5(FILE_NAMESPACE, str(email).strip().lower()))
        try:
            found.append(recipient_from(item, rid, "file", checked_email))
        except Invalid as exc:
            raise ValueError(f"{path}: recipient {number}: {exc}") from None
    emails = [r.email for r in found]
    twice = sorted({e for e in emails if emails.count(e) > 1})
    if twice:
        raise ValueError(f"{path}: listed more than once: {', '.join(twice)}")
    return found


def add_silence(session: Session, raw: Any, now: datetime, by: Acting | None = None) -> Silence:
    try:
        s = silence_from(raw, str(uuid.uuid4()), now)
    except Invalid as exc:
        raise Refused("invalid_silence", str(exc)) from None
    silence_store.add_silence(session, s, now)
    _recorded(by, session, "silence.created", s.id, None, s)
    session.commit()
    return s


def expire_silence(session: Session, sid: str, now: datetime, by: Acting | None = None) -> Silence:
    """End a silence now; what it held back and still fires is planned at once."""
    s = silence_store.find_silence(session, sid)
    if s is None:
        raise Refused("not_found", f"no silence {sid}")
    silence_store.end_silence(session, sid, now)
    for key in group_store.groups_with_firing(session, s.province, s.kind):
        group_store.bring_forward(session, key, now)
    ended = silence_store.find_silence(session, sid) or s
    _recorded(by, session, "silence.expired", sid, s, ended)
    session.commit()
    return ended
