"""HTTP plumbing: JSON responses, the contract's error body, and the shared endpoints.

`api` is nameko's `http` entrypoint with one difference: a `Refused` raised anywhere in a
handler becomes `{"error": {"code", "detail"}}` with the status of `errors.HTTP_STATUS`, so
no handler builds an error response itself.
"""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from eventlet.event import Event
from nameko.extensions import DependencyProvider
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from sqlalchemy import text
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from grantflow.audit import REFUSED, AuditTrail, Entry
from grantflow.auth import ALL_PROVINCE_READERS, AUDIT_READERS, Principal, bearer, verify
from grantflow.errors import Refused, http_status
from grantflow.metrics import Metrics

log = logging.getLogger(__name__)

JSON = "application/json"


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(body: Any, status: int = 200, content_type: str = JSON) -> Response:
    payload = json.dumps(body, ensure_ascii=False, default=_default)
    return Response(payload, status=status, content_type=f"{content_type}; charset=utf-8")


def error_response(code: str, detail: str, status: int | None = None) -> Response:
    body = {"error": {"code": code, "detail": detail}}
    return json_response(body, status or http_status(code))


class JsonWsgiApp(WsgiApp):
    """nameko's WSGI app, but an unknown path or method gets the contract's error body too."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ, shallow=True)  # as nameko does: nothing reads the body yet
        try:
            provider, values = self.url_map.bind_to_environ(environ).match()
        except HTTPException as exc:
            code = ROUTING_CODES.get(exc.code or 400, "bad_request")
            response = error_response(code, exc.description or code, exc.code)
            return response(environ, start_response)
        request.path_values = values
        return provider.handle_request(request)(environ, start_response)


ROUTING_CODES = {404: "not_found", 405: "method_not_allowed"}


class JsonWebServer(WebServer):
    def get_wsgi_app(self) -> JsonWsgiApp:
        return JsonWsgiApp(self)

    def get_wsgi_server(self, sock: Any, wsgi_app: Any, *args: Any, **kwargs: Any) -> Any:
        # Connections accepted from this socket inherit TCP_NODELAY: on a kept-alive
        # connection a response written in two parts (headers, then the body) would otherwise
        # wait for the client's delayed ACK, about 40 ms, under Nagle's algorithm.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().get_wsgi_server(sock, wsgi_app, *args, **kwargs)


class ApiHandler(HttpRequestHandler):
    """nameko's http entrypoint that speaks the contract's JSON and error body.

    Every path under `/api/` needs a bearer token whose role is in `allow`; the verified
    `Principal` goes to the worker as `worker_ctx.data["principal"]` (read it with `Caller`).
    """

    server = JsonWebServer()

    def __init__(
        self, method: str, url: str, allow: frozenset[str] | None = None, **kwargs: Any
    ) -> None:
        if url.startswith("/api/") and not allow:
            raise ValueError(f"{method} {url}: say who may call it with allow=")
        self.allow = frozenset(allow or ())
        super().__init__(method, url, expected_exceptions=(Refused,), **kwargs)

    @property
    def protected(self) -> bool:
        return self.url.startswith("/api/")

    def handle_request(self, request: Request) -> Response:
        if not self.protected:
            return super().handle_request(request)
        request.shallow = False
        principal: Principal | None = None
        try:
            principal = verify(bearer(request.headers.get("Authorization")))
            if principal.role not in self.allow:
                raise Refused("forbidden", f"role {principal.role} may not {self.method} this")
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(
                self,
                args,
                kwargs,
                context_data={PRINCIPAL: principal},
                handle_result=partial(self.handle_result, event),
            )
            return self.response_from_result(event.wait())
        except Exception as exc:
            if isinstance(exc, Refused) and exc.code == "forbidden" and principal is not None:
                self.record_refused(principal, request, exc)
            return self.response_from_exception(exc)

    def record_refused(self, principal: Principal, request: Request, error: Refused) -> None:
        """A 403 goes into the service's audit trail: who tried what, and why not."""
        trail = AuditTrail.of(self.container)
        if trail is not None:
            trail.refused(
                Entry(
                    actor=principal.sub,
                    action=f"{request.method} {request.path}",
                    outcome=REFUSED,
                    code=error.code,
                    detail=f"role {principal.role}: {error.detail}",
                )
            )

    def handle_result(self, event: Any, worker_ctx: Any, result: Any, exc_info: Any) -> Any:
        if exc_info is None and not isinstance(result, Response):
            status, body = result if isinstance(result, tuple) else (200, result)
            result = json_response(body, status)
        return super().handle_result(event, worker_ctx, result, exc_info)

    def response_from_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Refused):
            response = error_response(exc.code, exc.detail)
            if exc.code == "unauthenticated":
                detail = exc.detail.replace('"', "'")
                response.headers["WWW-Authenticate"] = (
                    f'Bearer realm="grantflow", error="invalid_token", error_description="{detail}"'
                )
            return response
        log.error("unhandled error in %s", self.method_name, exc_info=exc)
        return error_response("internal_error", "the service failed; see its logs", 500)


api = ApiHandler.decorator

PRINCIPAL = "principal"


class Caller(DependencyProvider):
    """The verified caller of an HTTP worker (`Principal`); None for other entrypoints."""

    def get_dependency(self, worker_ctx: Any) -> Principal | None:
        return worker_ctx.data.get(PRINCIPAL)


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


def query_choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
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


def cloudevent_body(request: Request) -> bytes:
    """The body of a CloudEvent posted in structured mode, or `Refused` for another type."""
    from grantflow.contract import CONTENT_TYPE

    if request.mimetype not in (CONTENT_TYPE, "application/json"):
        raise Refused("unsupported_media_type", f"send {CONTENT_TYPE} (structured mode)")
    return request.get_data()


class Health(DependencyProvider):
    """Readiness: every database of the service answers and every consumer is connected."""

    def get_dependency(self, worker_ctx: Any) -> Health:
        return self

    def checks(self) -> dict[str, bool]:
        from grantflow.db import Database
        from grantflow.ingest import LifecycleIngest

        databases = [d for d in self.container.dependencies if isinstance(d, Database)]
        consumers = [e for e in self.container.entrypoints if isinstance(e, LifecycleIngest)]
        return {
            "database": all(_answers(d) for d in databases),
            "broker": all(c.connected for c in consumers),
        }


def _answers(database: Any) -> bool:
    try:
        with database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:
        log.warning("readiness: database unreachable: %s", exc)
        return False


class Observable:
    """Mixed into every service: `/metrics`, `/health/live` and `/health/ready`."""

    metrics = Metrics()
    health = Health()

    @api("GET", "/metrics")
    def prometheus_metrics(self, request: Request) -> Response:
        exposition = self.metrics.exposition()
        return Response(exposition, content_type="text/plain; version=0.0.4; charset=utf-8")

    @api("GET", "/api/v1/event-log", allow=ALL_PROVINCE_READERS)
    def event_log(self, request: Request) -> dict[str, Any]:
        """The service's published domain events in order (`?after=<seq>&limit=`), so a
        projection elsewhere can be rebuilt from scratch. Answers `{"events", "next"}`."""
        relay = getattr(self, "relay", None)
        if relay is None:
            raise Refused("not_found", "this service emits no domain events")
        after = query_int(request, "after", 0, 0, 2**63 - 1) or 0
        limit = query_int(request, "limit", 1000, 1, 10000) or 1000
        events, last = relay.outbox.published_after(self.db, after, limit)
        return {"events": events, "next": last}

    @api("GET", "/api/v1/audit", allow=AUDIT_READERS)
    def audit_trail(self, request: Request) -> dict[str, Any]:
        """The service's audit trail in order of recording, filtered by `proposal_id`, `actor`
        and `since` (ISO 8601), paged with `after=<seq>&limit=`. Answers `{"items", "next"}`."""
        trail = getattr(self, "audit", None)
        if trail is None:
            raise Refused("not_found", "this service keeps no audit trail")
        items, last = trail.find(
            self.db,
            proposal_id=query_text(request, "proposal_id"),
            actor=query_text(request, "actor"),
            since=query_datetime(request, "since"),
            after=query_int(request, "after", 0, 0, 2**63 - 1) or 0,
            limit=query_int(request, "limit", 100, 1, 1000) or 100,
        )
        return {"items": items, "next": last}

    @api("GET", "/health/live")
    def live(self, request: Request) -> dict[str, str]:
        return {"status": "live"}

    @api("GET", "/health/ready")
    def ready(self, request: Request) -> tuple[int, dict[str, Any]]:
        checks = self.health.checks()
        ok = all(checks.values())
        return (200 if ok else 503), {"status": "ready" if ok else "not_ready", "checks": checks}
