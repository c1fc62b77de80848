"""The `api` entrypoint: nameko's http entrypoint behind a bearer token, answering in JSON."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from eventlet.event import Event
from nameko.extensions import DependencyProvider
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from grantflow.audit import REFUSED, AuditTrail, Entry
from grantflow.auth import Principal, bearer, verify
from grantflow.errors import Refused
from grantflow.http.request import limit_body
from grantflow.http.responses import error_response, json_response
from grantflow.http.server import JsonWebServer

log = logging.getLogger(__package__)  # "grantflow.http", the name its log lines always had

PRINCIPAL = "principal"


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
            limit_body(request)
            principal = verify(bearer(request.headers.get("Authorization")))
            if principal.role not in self.allow:
                raise Refused("forbidden", f"role {principal.role} may not {self.method} this")
            return self.run_worker(request, {PRINCIPAL: principal})
        except Exception as exc:
            if isinstance(exc, Refused) and exc.code == "forbidden" and principal is not None:
                self.record_refused(principal, request, exc)
            return self.response_from_exception(exc)

    def run_worker(self, request: Request, context_data: dict[str, Any]) -> Response:
        """Runs the entrypoint's worker on `request` (with `context_data`) and answers its
        result; what it raises is raised here."""
        args, kwargs = self.get_entrypoint_parameters(request)
        self.check_signature(args, kwargs)
        event = Event()
        self.container.spawn_worker(
            self,
            args,
            kwargs,
            context_data=context_data,
            handle_result=partial(self.handle_result, event),
        )
        return self.response_from_result(event.wait())

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
        if isinstance(exc, RequestEntityTooLarge):  # a body of undeclared length, cut off
            exc = Refused("too_large", "the body is larger than the service takes")
        if isinstance(exc, Refused):
            response = error_response(exc.code, exc.detail)
            if exc.code == "unauthenticated":
                # a header value: printable ASCII only, whatever the token held
                detail = "".join(c if " " <= c <= "~" else "?" for c in exc.detail)
                detail = detail.replace('"', "'").replace("\\", "/")
                response.headers["WWW-Authenticate"] = (
                    f'Bearer realm="grantflow", error="invalid_token", error_description="{detail}"'
                )
            return response
        log.error("unhandled error in %s", self.method_name, exc_info=exc)
        return error_response("internal_error", "the service failed; see its logs", 500)


api = ApiHandler.decorator


class Caller(DependencyProvider):
    """The verified caller of an HTTP worker (`Principal`); None for other entrypoints."""

    def get_dependency(self, worker_ctx: Any) -> Principal | None:
        return worker_ctx.data.get(PRINCIPAL)
