"""What a message must pass before it reaches a worker: size, retry headers, the contract.

Whatever goes wrong while reading one message is that message's refusal with a code, never
an exception that would reach the consume loop (which would take it for a lost connection
and reconnect for ever, the message redelivered each time).

The retry headers (`x-grantflow-first-seen`, `x-grantflow-attempts`) are the service's own:
a message arriving through an exchange (a publisher's) has them removed; only a message back
from one of the service's delay queues (through the default exchange) keeps them, and those
must be integers, not in the future.
"""

from __future__ import annotations

import time
from typing import Any

from grantflow.contract import Envelope, contract
from grantflow.errors import Refused

FIRST_SEEN = "x-grantflow-first-seen"
ATTEMPTS = "x-grantflow-attempts"
RETRY_HEADERS = (FIRST_SEEN, ATTEMPTS)
CLOCK_SKEW_MS = 60_000  # a first sight this far ahead of our clock is a forgery, not a skew


def screened(message: Any, accepted: tuple[str, ...], max_bytes: int) -> Envelope:
    """The message's event, or `Refused` with the code it is dead-lettered under."""
    body = message.body
    if len(body) > max_bytes:
        raise Refused("too_large", f"the message has {len(body)} bytes; at most {max_bytes}")
    retry_headers(message)
    try:
        envelope = contract().parse(body, accepted)
    except Refused:
        raise
    except Exception as exc:  # anything else the parser could not take: this message's fault
        raise Refused(
            "unreadable", f"the message could not be read: {type(exc).__name__}"
        ) from None
    return envelope


def retry_headers(message: Any) -> tuple[int, int] | None:
    """(first seen in ms, attempts) of a message back from a delay queue; a publisher's
    copies of those headers are dropped. `Refused('bad_retry_header')` for a forged pair."""
    headers = message.headers
    if headers is None:
        return None
    if message.delivery_info.get("exchange"):  # straight from a publisher: not ours
        for name in RETRY_HEADERS:
            headers.pop(name, None)
        return None
    if FIRST_SEEN not in headers and ATTEMPTS not in headers:
        return None
    first_seen, attempts = headers.get(FIRST_SEEN), headers.get(ATTEMPTS)
    now_ms = int(time.time() * 1000)
    if not all(type(v) is int for v in (first_seen, attempts)):
        raise Refused("bad_retry_header", f"{FIRST_SEEN} and {ATTEMPTS} must be integers")
    if first_seen > now_ms + CLOCK_SKEW_MS or attempts < 0:
        raise Refused(
            "bad_retry_header", f"{FIRST_SEEN} lies in the future or {ATTEMPTS} is negative"
        )
    return first_seen, attempts
