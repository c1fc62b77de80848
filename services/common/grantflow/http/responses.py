"""Responses in the contract's JSON: a body, or the error body `{"error": {"code", "detail"}}`."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from werkzeug.wrappers import Response

from grantflow.errors import http_status

JSON = "application/json"


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(body: Any, status: int = 200, content_type: str = JSON) -> Response:
    """`body` as UTF-8 JSON; dates and times as ISO 8601 text."""
    payload = json.dumps(body, ensure_ascii=False, default=_default)
    return Response(payload, status=status, content_type=f"{content_type}; charset=utf-8")


def error_response(code: str, detail: str, status: int | None = None) -> Response:
    """The contract's error body, with the status `errors.HTTP_STATUS` gives `code`."""
    body = {"error": {"code": code, "detail": detail}}
    return json_response(body, status or http_status(code))
