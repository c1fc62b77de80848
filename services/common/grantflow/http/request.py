"""What a handler reads from a request: query parameters, a JSON body's fields, a path's id
and a posted CloudEvent, so that an entrypoint is validate, call, return.

Each helper answers the value or raises `Refused('bad_query')` (or `not_json`,
`unsupported_media_type`, `not_found`) naming the parameter, so a handler never builds an
error itself. A body is never read past `MAX_MESSAGE_BYTES` (`limit_body`, applied to every
API request: 413 `too_large`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, overload

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from grantflow.auth import Principal
from grantflow.config import settings
from grantflow.contract import Envelope, contract
from grantflow.errors import Refused


@overload
def query_int(
    request: Request, name: str, default: int, low: int | None = ..., high: int | None = ...
) -> int: ...
@overload
def query_int(
    request: Request,
    name: str,
    default: None = ...,
    low: int | None = ...,
    high: int | None = ...,
) -> int | None: ...
def query_int(
    request: Request,
    name: str,
    default: int | None = None,
    low: int | None = None,
    high: int | None = None,
) -> int | None:
    """An integer query parameter, or `Refused('bad_query')` naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Refused("bad_query", f"{name} must be an integer, not {raw!r}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise Refused("bad_query", f"{name} must be between {low} and {high}")
    return value


def query_year(request: Request) -> int:
    """The `year` query parameter, required, 2000 to 2100."""
    year = query_int(request, "year", None, 2000, 2100)
    if year is None:
        raise Refused("bad_query", "year is required")
    return year


@overload
def query_date(request: Request, name: str, default: date) -> date: ...
@overload
def query_date(request: Request, name: str, default: None = ...) -> date | None: ...
def query_date(request: Request, name: str, default: date | None = None) -> date | None:
    """A `YYYY-MM-DD` query parameter, or `Refused('bad_query')` naming it."""
    raw = query_text(request, name)
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Refused("bad_query", f"{name} must be a date YYYY-MM-DD, not {raw!r}") from None


def query_datetime(request: Request, name: str) -> datetime | None:
    """An ISO 8601 date or date-time query parameter (UTC when it names no offset)."""
    raw = query_text(request, name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace(" ", "+"))  # a `+` arrives as a space
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise Refused(
            "bad_query", f"{name} must be an ISO 8601 date or time, not {raw!r}"
        ) from None


VIETNAM = timezone(timedelta(hours=7), "ICT")


def not_in_future(as_of: date, announcing: bool = True) -> date:
    """`as_of`, unless an evaluation that announces would be dated after today (Vietnam time):
    its "once ever" notices would suppress the real ones, so it is `Refused('as_of_in_future')`."""
    today = datetime.now(VIETNAM).date()
    if announcing and as_of > today:
        raise Refused(
            "as_of_in_future",
            f"as_of {as_of} is after today ({today}, Vietnam time); an evaluation that "
            "announces is dated today or earlier (send announce: false to look ahead)",
        )
    return as_of


def query_choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    """One of `choices`, or None when absent."""
    raw = query_text(request, name)
    if raw is not None and raw not in choices:
        raise Refused("bad_query", f"{name} must be one of {', '.join(choices)}")
    return raw


def query_text(request: Request, name: str) -> str | None:
    """A text query parameter (None when absent or empty); PostgreSQL refuses NUL characters."""
    raw = request.args.get(name) or None
    if raw is not None and "\x00" in raw:
        raise Refused("bad_query", f"{name} must not contain a NUL character")
    return raw


def json_object(request: Request) -> dict[str, Any]:
    """The JSON object posted as `application/json`; `{}` for no body or another media type.
    `Refused('not_json')` for a body that is not JSON, `bad_query` for one not an object."""
    raw = request.get_data() if request.is_json else b""
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise Refused("not_json", "the body is not JSON") from None
    if not isinstance(body, dict):
        raise Refused("bad_query", "the body must be a JSON object")
    return body


def body_date(body: dict[str, Any], name: str, default: date) -> date:
    """A `YYYY-MM-DD` field of a JSON body, `default` when absent, null or empty."""
    raw = body.get(name) or default.isoformat()
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise Refused("bad_query", f"{name} must be a date YYYY-MM-DD") from None


def body_int(body: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    """An integer field of a JSON body (not a boolean), `default` when absent."""
    value = body.get(name, default)
    if type(value) is not int or not low <= value <= high:
        raise Refused("bad_query", f"{name} must be an integer from {low} to {high}")
    return value


def visible_one(
    caller: Principal,
    lookup: Callable[[str], dict[str, Any] | None],
    identifier: str,
    missing: str,
) -> dict[str, Any]:
    """What `lookup` finds at a path's id, if `caller` may see its province; otherwise
    `Refused('not_found', missing)`: an unknown id, one with a NUL character (PostgreSQL
    refuses it) and another province's thing are answered alike (issue 12)."""
    found = lookup(identifier) if "\x00" not in identifier else None
    if found is None or not caller.may_see(found["province"]):
        raise Refused("not_found", missing)
    return found


def limit_body(request: Request) -> None:
    """`Refused('too_large')` (413) for a body declared over `MAX_MESSAGE_BYTES`, before a
    byte of it is read; a body of undeclared length is cut off by werkzeug at the limit."""
    limit = settings().max_message_bytes
    if request.content_length is not None and request.content_length > limit:
        raise Refused("too_large", f"the body has {request.content_length} bytes; at most {limit}")
    request.max_content_length = limit


def posted_event(request: Request, types: Iterable[str], caller: Principal | None) -> Envelope:
    """The CloudEvent an HTTP caller posts, bound to its token: the role must be allowed the
    type, and its (source, id) is kept apart from every other sender's (`Envelope.sender`)."""
    event = contract().parse(cloudevent_body(request), types)
    if caller is None:
        raise Refused("unauthenticated", "an event over HTTP needs a bearer token")
    caller.require_event_type(event.type)
    return replace(event, sender=caller.sub)


def cloudevent_body(request: Request) -> bytes:
    """The body of a CloudEvent posted in structured mode, or `Refused` for another type."""
    from grantflow.contract import CONTENT_TYPE

    if request.mimetype not in (CONTENT_TYPE, "application/json"):
        raise Refused("unsupported_media_type", f"send {CONTENT_TYPE} (structured mode)")
    limit_body(request)
    try:
        return request.get_data()
    except RequestEntityTooLarge:
        limit = settings().max_message_bytes
        raise Refused("too_large", f"the body has more than {limit} bytes") from None
