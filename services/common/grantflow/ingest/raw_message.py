"""A message handed to the service unparsed: body, headers and routing key, as received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RawMessage:
    body: bytes
    headers: dict[str, Any]
    routing_key: str

    @classmethod
    def of(cls, message: Any) -> RawMessage:
        body = message.body  # py-amqp decodes a body that declares its content encoding
        if isinstance(body, str):  # back to the bytes received, whatever the encoding said
            try:
                body = body.encode(message.content_encoding or "utf-8")
            except (LookupError, UnicodeError):
                body = body.encode("utf-8", "surrogatepass")
        key = message.delivery_info.get("routing_key", "")
        return cls(body, dict(message.headers or {}), key if isinstance(key, str) else str(key))
