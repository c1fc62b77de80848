"""The wire contract: CloudEvents envelopes validated against the JSON Schemas in contracts/.

Schemas are loaded and compiled once per process. Bodies are parsed with `Decimal` for
non-integer numbers, so `150000000.0` is not an integer and money can never arrive as a float.

Two validators, one set of schemas: jsonschema-rs (compiled, ~40x faster) decides the common
case; an event it refuses, or one that holds a non-integer number (which jsonschema-rs would
let pass as an integer when it is integral), goes to the reference `jsonschema` validator,
which treats `Decimal` as never an integer and words the error for the dead-letter header.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from grantflow.config import settings
from grantflow.errors import Refused

ENVELOPE_SCHEMA = "cloudevent.schema.json"
MAX_DEPTH = 32  # levels of nesting an event may have; the deepest contract event has 4
_SURROGATE = re.compile("[\ud800-\udfff]")
# What could make `check_plain` refuse a text: NUL or a lone surrogate, raw or escaped.
_SUSPECT = re.compile("[\x00\ud800-\udfff]" + r"|\\u0000|\\u[dD][89a-fA-F]")
CONTENT_TYPE = "application/cloudevents+json"

LIFECYCLE_TYPES: tuple[str, ...] = (
    "plan.approved",
    "plan.adjusted",
    "proposal.submitted",
    "proposal.appraised",
    "proposal.approved",
    "proposal.rejected",
    "contract.signed",
    "progress.reported",
    "disbursement.made",
    "proposal.accepted",
    "proposal.settled",
    "repayment.received",
    "proposal.cancelled",
)


@dataclass(frozen=True, slots=True)
class Envelope:
    """A validated CloudEvent. `data` has passed its type's schema; money fields are ints."""

    id: str
    source: str
    type: str
    time: datetime
    data: dict[str, Any]
    subject: str | None = None
    version: int | None = None
    # Who vouches for it: None over AMQP (an internal system), the token subject over HTTP.
    # An HTTP caller's (source, id) lives in its own namespace (`inbox_source`), so that it
    # can never make another sender's event a duplicate.
    sender: str | None = None

    @property
    def on(self) -> date:
        return self.time.date()

    @property
    def inbox_source(self) -> str:
        """The `source` part of the inbox key: the source itself for an internal system's
        event, a digest of (token subject, source) for an HTTP caller's."""
        if self.sender is None:
            return self.source
        digest = hashlib.sha256(f"{self.sender}\x00{self.source}".encode()).hexdigest()
        return f"http:{digest[:48]}"


class Contract:
    """Compiled validators for every schema under a contracts directory."""

    def __init__(self, contracts_dir: Path) -> None:
        self._schemas: dict[str, dict[str, Any]] = {}
        for path in sorted((contracts_dir / "events").glob("*.schema.json")):
            self._schemas[path.name.removesuffix(".schema.json")] = json.loads(
                path.read_text(encoding="utf-8")
            )
        by_id = [(schema["$id"], schema) for schema in self._schemas.values()]
        fast_registry = jsonschema_rs.Registry(by_id)
        self._fast = {
            name: jsonschema_rs.validator_for(schema, registry=fast_registry, validate_formats=True)
            for name, schema in self._schemas.items()
        }
        registry = Registry().with_resources(
            (uri, Resource.from_contents(schema)) for uri, schema in by_id
        )
        checker = FormatChecker()
        self._strict = {
            name: Draft202012Validator(schema, registry=registry, format_checker=checker)
            for name, schema in self._schemas.items()
        }
        self._types = frozenset(self._schemas) - {"cloudevent", "common"}

    @property
    def types(self) -> frozenset[str]:
        return self._types

    def parse(self, body: bytes | str, accepted: Iterable[str] | None = None) -> Envelope:
        """Parse and validate one structured-mode CloudEvent, or raise `Refused` with a code."""
        fractions: list[Decimal] = []

        def as_decimal(text: str) -> Decimal:
            fractions.append(Decimal(text))
            return fractions[-1]

        try:
            event = json.loads(body, parse_float=as_decimal, parse_constant=_no_constant)
        except RecursionError:
            raise Refused("too_deep", f"the body nests deeper than {MAX_DEPTH} levels") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise Refused("not_json", f"the body is not JSON: {exc}") from None
        if not isinstance(event, dict):
            raise Refused("not_cloudevent", "the body is JSON but not an object")
        if not _surely_plain(body):
            check_plain(event)
        if not self._fast["cloudevent"].is_valid(event):
            raise Refused(
                "not_cloudevent", f"not a CloudEvent 1.0: {self._why('cloudevent', event)}"
            )
        event_type = event["type"]
        if event_type not in self.types or (accepted is not None and event_type not in accepted):
            raise Refused("unknown_type", f"event type {event_type!r} is not accepted here")
        if fractions or not self._fast[event_type].is_valid(event):
            self._check_strictly(event_type, event)
        return Envelope(
            id=event["id"],
            source=event["source"],
            type=event_type,
            time=_time(event["time"]),
            data=_plain(event["data"]) if fractions else event["data"],
            subject=event.get("subject"),
            version=event.get("version"),
        )

    def from_log(self, event: dict[str, Any]) -> Envelope:
        """An event already decoded from the event log of the service that published it
        (a rebuild): checked as `parse` checks a body, less what only a hostile sender's
        text needs (the text walk for NUL and depth: that service stored it, PostgreSQL
        holds no NUL, and a strict UTF-8 decoder refused lone surrogates). The envelope and
        its type's schema are still checked, and an event holding any non-integer number
        (which the fast validator would take for an integer when integral) goes through
        `parse`, so money is still refused unless it is integer dong."""
        if _has_float(event):
            return self.parse(json.dumps(event, ensure_ascii=False))
        event_type = event.get("type")
        # every type's schema holds the envelope's (allOf cloudevent): one validation
        if not (
            isinstance(event_type, str)
            and event_type in self.types
            and self._fast[event_type].is_valid(event)
        ):
            return self.parse(json.dumps(event, ensure_ascii=False))  # refused, with its code
        return Envelope(
            id=event["id"],
            source=event["source"],
            type=event_type,
            time=_time(event["time"]),
            data=event["data"],
            subject=event.get("subject"),
            version=event.get("version"),
        )

    def _check_strictly(self, event_type: str, event: dict[str, Any]) -> None:
        errors = sorted(
            self._strict[event_type].iter_errors(event), key=lambda e: list(e.absolute_path)
        )
        money = [e for e in errors if _is_float_money(e)]
        if money:
            raise Refused("amount_not_integer", _describe(money[0]) + " (money is integer dong)")
        if errors:
            raise Refused("schema_violation", _describe(errors[0]))
        if not self._fast[event_type].is_valid(event):  # a format only jsonschema-rs checks
            raise Refused("schema_violation", self._why(event_type, event))

    def _why(self, name: str, event: dict[str, Any]) -> str:
        """The first error, worded by the reference validator, else by jsonschema-rs."""
        error = next(iter(self._strict[name].iter_errors(event)), None)
        if error is not None:
            return _describe(error)
        fast = next(iter(self._fast[name].iter_errors(event)), None)
        if fast is None:
            return "(no detail)"
        where = "/".join(str(p) for p in fast.instance_path) or "(event)"
        return f"{where}: {fast.message}"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _time(text: str) -> datetime:
    """The envelope's `time`; one the schema let pass but Python cannot hold is refused."""
    try:
        return datetime.fromisoformat(text.upper())
    except (ValueError, OverflowError) as exc:
        raise Refused("schema_violation", f"time: {text!r} is not a usable time: {exc}") from None


def _surely_plain(body: bytes | str) -> bool:
    """True when the body's text cannot hold what `check_plain` refuses (no NUL or surrogate,
    raw or escaped; fewer brackets than `MAX_DEPTH`, so no deeper nesting): its walk of
    every value is then skipped, which was a fifth of the time of a parse."""
    if isinstance(body, bytes):
        if b"\x00" in body:  # UTF-16 or UTF-32, or a raw NUL: walk
            return False
        try:
            body = body.decode("utf-8")  # strict: an encoded surrogate fails here
        except UnicodeDecodeError:
            return False
    return body.count("{") + body.count("[") <= MAX_DEPTH and not _SUSPECT.search(body)


def check_plain(event: Any) -> None:
    """Refuse what no schema says but every store needs: nesting deeper than `MAX_DEPTH`,
    text with NUL or a lone surrogate (PostgreSQL and UTF-8 cannot hold them)."""
    stack: list[tuple[Any, str, int]] = [(event, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Refused("too_deep", f"the body nests deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, f"{where}/{key[:40]}")
                stack.append((item, f"{where}/{key[:40]}", depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}/{i}", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, where)


def _check_text(text: str, where: str) -> None:
    if "\x00" in text or _SURROGATE.search(text):
        raise Refused(
            "schema_violation",
            f"{where or '(event)'}: text must not contain NUL (U+0000) or a lone surrogate",
        )


def _has_float(value: Any) -> bool:
    """True if any number in `value` was written with a fraction or an exponent."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float:
            return True
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
    return False


def _is_float_money(error: Any) -> bool:
    path = [p for p in error.absolute_path if isinstance(p, str)]
    return (
        error.validator == "type"
        and isinstance(error.instance, Decimal)
        and bool(path)
        and path[-1].endswith("_vnd")
    )


def _describe(error: Any) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(event)"
    return f"{where}: {error.message}"


def _plain(value: Any) -> Any:
    """Decimals that passed validation are non-money numbers (e.g. percent): make them floats."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@cache
def contract() -> Contract:
    return Contract(settings().contracts_dir)


def new_event(
    event_type: str,
    source: str,
    data: dict[str, Any],
    *,
    subject: str | None = None,
    version: int | None = None,
    schemaversion: int = 1,
    time: datetime | None = None,
) -> dict[str, Any]:
    """A CloudEvent (as a dict) for a domain event this system emits."""
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "type": event_type,
        "time": (time or datetime.now(UTC)).isoformat(),
        "datacontenttype": "application/json",
        "schemaversion": schemaversion,
        "data": data,
    }
    if subject is not None:
        event["subject"] = subject
    if version is not None:
        event["version"] = version
    return event
