"""The `page` entrypoint: nameko's http entrypoint for pages a person reads in a browser.

It loads the signed session cookie, checks the CSRF token of every POST, sends a visitor who
has not signed in to the sign-in page, hands the worker a `Visitor` (session and language),
and turns the workspace's errors into pages (404, 400, 403, 502) instead of JSON. It shares
the web server of grantflow's `api` entrypoints, so `/metrics` and `/health/*` answer too.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from nameko.extensions import DependencyProvider
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from grantflow.http import ApiHandler, api
from grantflow.http.health import Health
from grantflow.metrics import Metrics
from workspace.adapters.session import COOKIE, LANG_COOKIE, LANGS, Session
from workspace.bootstrap import workspace
from workspace.errors import Forbidden, PageError, SignInAgain
from workspace.views.screens import from_htmx, html

log = logging.getLogger(__name__)
VISITOR = "visitor"


@dataclass
class Visitor:
    """Who is reading (their session) and in which language."""

    session: Session
    lang: str


class PageHandler(ApiHandler):
    """`page(method, url, public=False)`: an HTML page; `public` pages need no sign-in."""

    def __init__(self, method: str, url: str, public: bool = False, **kwargs: Any) -> None:
        self.public = public
        super().__init__(method, url, **kwargs)
        self.expected_exceptions = (PageError,)  # a 404 page is not an error in the logs

    def handle_request(self, request: Request) -> Response:
        request.shallow = False
        app = workspace()
        session = app.cookie.load(request.cookies.get(COOKIE))
        lang = request.cookies.get(LANG_COOKIE)
        visitor = Visitor(session, lang if lang in LANGS else "vi")
        try:
            if request.method == "POST":
                sent = request.form.get("csrf", "")
                if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
                    raise Forbidden("the form's CSRF token does not match this session")
            if not self.public and not session.signed_in:
                raise SignInAgain("")
            response = self.run_worker(request, {VISITOR: visitor})
        except Exception as exc:
            response = self.error_page(exc, request, visitor)
        if session.fresh and COOKIE not in response.headers.get("Set-Cookie", ""):
            app.cookie.store(response, session)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    def handle_result(self, event: Any, worker_ctx: Any, result: Any, exc_info: Any) -> Any:
        event.send(result, exc_info)
        return result, exc_info

    def response_from_result(self, result: Any) -> Response:
        return result

    def error_page(self, exc: Exception, request: Request, visitor: Visitor) -> Response:
        if isinstance(exc, SignInAgain):
            target = request.full_path.rstrip("?")
            sign_in = f"/sign-in?next={quote(target, safe='/?=&')}"
            response = redirect(sign_in, 303)
            if from_htmx(request):  # the whole page goes to the sign-in, not <main>
                response = Response("", status=200, headers={"HX-Redirect": sign_in})
            if visitor.session.signed_in:  # the token expired: start again
                workspace().cookie.sign_out(response)
            return response
        if not isinstance(exc, PageError):
            log.error("page %s failed", request.path, exc_info=exc)
            exc = PageError("")
        body = workspace().pages.error(exc, visitor, from_htmx(request))
        return html(body, exc.status)


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

page = PageHandler.decorator


class Visiting(DependencyProvider):
    """The worker's `Visitor` (a page's; None for the shared `api` endpoints)."""

    def get_dependency(self, worker_ctx: Any) -> Visitor | None:
        return worker_ctx.data.get(VISITOR)  # None for /metrics and /health/*


class Wakeful(DependencyProvider):
    """Wakes eventlet's hub every second. `grantflow run` hands a stop signal to a green
    thread, which runs at the hub's next wake-up: the other services' timers wake it often, but
    a service that only answers HTTP could sleep on a SIGTERM for most of a minute."""

    def start(self) -> None:
        self.container.spawn_managed_thread(self._tick)

    def _tick(self) -> None:
        import eventlet

        while True:
            eventlet.sleep(1)


class Probes:
    """`/metrics` and `/health/*`, as every service answers them (the workspace has no `/api/`,
    so it takes these and not grantflow's whole `Observable`)."""

    metrics = Metrics()
    health = Health()

    @api("GET", "/metrics")
    def prometheus_metrics(self, request: Request) -> Response:
        exposition = self.metrics.exposition()
        return Response(exposition, content_type="text/plain; version=0.0.4; charset=utf-8")

    @api("GET", "/health/live")
    def live(self, request: Request) -> dict[str, str]:
        return {"status": "live"}

    @api("GET", "/health/ready")
    def ready(self, request: Request) -> tuple[int, dict]:
        checks = self.health.checks()
        ok = all(checks.values())
        return (200 if ok else 503), {"status": "ready" if ok else "not_ready", "checks": checks}
