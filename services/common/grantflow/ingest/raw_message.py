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
        if isinstance(body, str):
            body = body.encode(message.content_encoding or "utf-8")
        return cls(body, dict(message.headers or {}), message.delivery_info.get("routing_key", ""))
