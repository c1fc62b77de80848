"""Recipients and silences from what people write (YAML, JSON): checked, normalised, or refused.

recipient_from({"name": "Nguyễn Thị Lan", "email": "lan@sct.longan.gov.vn",
                "provinces": ["80"], "kinds": "all"}, "r1", "api", checked_email)
silence_from({"province": "80", "ends_at": "2017-01-31T00:00:00+07:00",
              "comment": "year-end close"}, "s1", now)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from grantflow.reference import provinces_on, region_names
from notifications.domain.headers import clean_header
from notifications.domain.model import EVERY, KINDS, LANGUAGES, Recipient, Silence

RECIPIENT_FIELDS = frozenset(
    {"name", "email", "language", "role", "provinces", "kinds", "digest", "id", "origin"}
)
SILENCE_YEARS = (2000, 2100)
SILENCE_FIELDS = frozenset({"province", "kind", "starts_at", "ends_at", "comment", "created_by"})


# The address normalised, or ValueError saying what is wrong (`adapters.addresses`).
EmailCheck = Callable[[str], str]


class Invalid(ValueError):
    """What a person wrote cannot be used; the message says which field and why."""


@cache
def known_codes() -> frozenset[str]:
    """Province codes that existed on either side of the 2025 reorganisation."""
    return frozenset(
        p.code for on in (date(2025, 6, 30), date(2025, 7, 1)) for p in provinces_on(on)
    )


def _checked_object(raw: object, allowed: frozenset[str], what: str) -> Mapping[str, Any]:
    """`raw` when it is an object of `allowed` fields; else Invalid saying `what` one is."""
    if not isinstance(raw, Mapping):
        raise Invalid(what)
    unknown = set(raw) - allowed
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(sorted(unknown))}")
    return raw


def recipient_from(
    raw: Mapping[str, Any], rid: str, origin: str, checked_email: EmailCheck
) -> Recipient:
    raw = _checked_object(
        raw, RECIPIENT_FIELDS, "a recipient is an object with name, email, provinces and kinds"
    )
    name = _text(raw.get("name"), "name", 200, required=True)
    try:
        email = checked_email(_text(raw.get("email"), "email", 320, required=True))
    except ValueError as exc:
        raise Invalid(f"email: {exc}") from None
    language = raw.get("language") or "vi"
    if language not in LANGUAGES:
        raise Invalid(f"language must be one of {', '.join(LANGUAGES)}")
    digest = raw.get("digest", False)
    if not isinstance(digest, bool):
        raise Invalid("digest must be true or false")
    return Recipient(
        id=rid,
        name=name,
        email=email,
        language=language,
        role=_text(raw.get("role"), "role", 100),
        provinces=_provinces(raw.get("provinces", EVERY)),
        kinds=_kinds(raw.get("kinds", EVERY)),
        digest=digest,
        origin=origin,
    )


def _text(value: Any, name: str, limit: int, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise Invalid(f"{name} is required")
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{name} must be text")
    cleaned = clean_header(value, limit)
    if required and not cleaned:
        raise Invalid(f"{name} is required")
    return cleaned


def _listed(value: Any, name: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise Invalid(f'{name} must be "all", a name, or a non-empty list of them')
    return items


def _provinces(value: Any) -> tuple[str, ...]:
    items = _listed(value, "provinces")
    wrong = [i for i in items if i != EVERY and i not in known_codes() and i not in region_names()]
    if wrong:
        raise Invalid(
            f"provinces: {', '.join(wrong)} is neither a two-digit GSO code, a region "
            f"({', '.join(sorted(region_names()))}) nor all"
        )
    return (EVERY,) if EVERY in items else tuple(dict.fromkeys(items))


def _kinds(value: Any) -> tuple[str, ...]:
    items = _listed(value, "kinds")
    wrong = [i for i in items if i != EVERY and i not in KINDS]
    if wrong:
        raise Invalid(f"kinds: {', '.join(wrong)} unknown; use all or {', '.join(KINDS)}")
    return (EVERY,) if EVERY in items else tuple(dict.fromkeys(items))


def silence_from(raw: Mapping[str, Any], sid: str, now: datetime) -> Silence:
    raw = _checked_object(
        raw, SILENCE_FIELDS, "a silence is an object with province and/or kind, ends_at and comment"
    )
    province, kind = raw.get("province"), raw.get("kind")
    if province is None and kind is None:
        raise Invalid("a silence needs a province, a kind, or both")
    if province is not None and province not in known_codes():
        raise Invalid(f"province {province!r} is not a two-digit GSO code")
    if kind is not None and kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}")
    starts = _when(raw.get("starts_at"), "starts_at") or now
    ends = _when(raw.get("ends_at"), "ends_at")
    if ends is None:
        raise Invalid("ends_at is required")
    if ends <= starts:
        raise Invalid("ends_at must be after starts_at")
    if ends <= now:
        raise Invalid("ends_at is in the past: such a silence would hold nothing back")
    comment = _text(raw.get("comment"), "comment", 500, required=True)
    return Silence(
        sid, province, kind, starts, ends, comment, _text(raw.get("created_by"), "created_by", 200)
    )


def _when(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{name} must be an RFC 3339 timestamp with an offset") from None
    if moment.tzinfo is None:
        raise Invalid(f"{name} must carry an offset, e.g. +07:00")
    try:  # an offset may carry a moment at the very edge of the calendar past it
        moment = moment.astimezone(UTC)
    except OverflowError:
        moment = datetime.min.replace(tzinfo=UTC)
    if not SILENCE_YEARS[0] <= moment.year <= SILENCE_YEARS[1]:
        raise Invalid(
            f"{name} must fall between the years {SILENCE_YEARS[0]} and {SILENCE_YEARS[1]}"
        )
    return moment
