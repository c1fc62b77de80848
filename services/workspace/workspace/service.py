"""The workspace service: thin page entrypoints over the handlers (read, call, render)."""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from workspace.adapters.session import LANG_COOKIE, LANGS
from workspace.bootstrap import workspace
from workspace.domain.filters import FilterError, read_filters
from workspace.errors import BadInput, NotFound
from workspace.handlers import alerts, overview, proposal, province, region, signin
from workspace.handlers import operations as ops
from workspace.views.screens import html, moved, screen
from workspace.web import Probes, Visiting, Visitor, Wakeful, page

STATIC = files("workspace") / "static"
STATIC_TYPES = {"css": "text/css; charset=utf-8", "svg": "image/svg+xml"}


def _filters(request: Request):
    try:
        return read_filters(dict(request.args), date.today())
    except FilterError as exc:
        raise BadInput(str(exc)) from None


class WorkspaceService(Probes):
    """Pages only: no `/api/` of its own (so no event log and no audit trail; what a person
    changes through it is in the audit trail of the service that changed it, under their own
    name), plus `/metrics` and `/health/*` as every service."""

    name = "workspace"
    visitor: Visitor = Visiting()
    wakeful = Wakeful()

    @page("GET", "/", public=True)
    def home(self, request: Request) -> Response:
        return redirect("/overview" if self.visitor.session.signed_in else "/sign-in", 303)

    def _screen(self, request: Request, name: str, context: dict, template: str = "") -> Response:
        """The screen `name` (its template `<name>.html` unless said) with `context`."""
        page_name = template or name
        return screen(
            workspace().pages, request, self.visitor, f"{page_name}.html", name, **context
        )

    @page("GET", "/overview")
    def overview(self, request: Request) -> Response:
        f = _filters(request)
        ctx = overview.overview(workspace().apis, self.visitor.session, f, self.visitor.lang)
        return self._screen(request, "overview", ctx | {"f": f})

    @page("GET", "/provinces/<string:code>")
    def province(self, request: Request, code: str) -> Response:
        f, lang = _filters(request), self.visitor.lang
        ctx = province.province_page(workspace().apis, self.visitor.session, code, f, lang)
        return self._screen(request, f"province-{code}", ctx | {"f": f}, "province")

    def _show(self, request: Request, name: str, handler: Any, *args: Any) -> Response:
        """The screen `name` with what `handler(apis, session, *args)` answers."""
        return self._screen(request, name, handler(workspace().apis, self.visitor.session, *args))

    @page("GET", "/proposals/<path:proposal_id>")
    def proposal(self, request: Request, proposal_id: str) -> Response:
        return self._show(request, "proposal", proposal.proposal_page, proposal_id)

    @page("GET", "/reports/regions")
    def region(self, request: Request) -> Response:
        name = request.args.get("region") or "south_2016"
        period = request.args.get("period") or "2016-H1"
        ctx = region.region_page(
            workspace().apis, self.visitor.session, name, period, self.visitor.lang
        )
        ctx |= {"region": name, "period": period}
        return self._screen(request, f"region-{name}-{period}", ctx, "region")

    @page("GET", "/alerts")
    def alerts(self, request: Request) -> Response:
        return self._show(request, "alerts", alerts.alerts_page, request.args.get("province"))

    @page("POST", "/alerts/silences")
    def create_silence(self, request: Request) -> Response:
        created = alerts.create_silence(workspace().apis, self.visitor.session, request.form)
        return moved(request, f"/alerts?saved={created['id']}")

    @page("POST", "/alerts/silences/<string:silence_id>/expire")
    def expire_silence(self, request: Request, silence_id: str) -> Response:
        alerts.expire_silence(workspace().apis, self.visitor.session, silence_id)
        return moved(request, "/alerts")

    @page("GET", "/operations")
    def operations(self, request: Request) -> Response:
        return self._show(request, "operations", ops.operations_page, request.args.get("code"))

    @page("GET", "/operations/dead-letters/<int:dead_id>/redrive")
    def confirm_redrive(self, request: Request, dead_id: int) -> Response:
        item = ops.dead_letter(workspace().apis, self.visitor.session, dead_id)
        return self._screen(request, f"redrive-{dead_id}", {"item": item}, "redrive")

    @page("POST", "/operations/dead-letters/<int:dead_id>/redrive")
    def redrive(self, request: Request, dead_id: int) -> Response:
        ops.redrive(workspace().apis, self.visitor.session, dead_id)
        return moved(request, f"/operations?redriven={dead_id}")

    @page("GET", "/sign-in", public=True)
    def sign_in_page(self, request: Request) -> Response:
        app = workspace()
        target = signin.safe_next(request.args.get("next"))
        body = app.pages.render("sign_in.html", self.visitor, next=target, roles=signin.DEV_ROLES)
        return html(body)

    @page("POST", "/sign-in/dev", public=True)
    def dev_sign_in(self, request: Request) -> Response:
        app = workspace()
        if not app.settings.development_sign_in:
            raise NotFound("the development sign-in is off")
        person = signin.dev_person(request.form.get("role", ""), request.form.get("provinces", ""))
        session = signin.signed_in(person, app.settings.session_hours * 3600)
        response = redirect(signin.safe_next(request.form.get("next")), 303)
        return app.cookie.store(response, session)

    @page("GET", "/sign-in/oidc", public=True)
    def oidc_sign_in(self, request: Request) -> Response:
        app, session = workspace(), self.visitor.session
        url = signin.oidc_start(app.oidc, session, request.args.get("next"))
        return app.cookie.store(redirect(url, 303), session)

    @page("GET", "/sign-in/oidc/callback", public=True)
    def oidc_callback(self, request: Request) -> Response:
        app = workspace()
        callback = app.settings.public_url.rstrip("/") + request.full_path
        session, target = signin.oidc_finish(
            app.oidc,
            self.visitor.session,
            callback,
            request.args.get("state", ""),
            app.settings.session_hours * 3600,
        )
        return app.cookie.store(redirect(target, 303), session)

    @page("POST", "/sign-out", public=True)
    def sign_out(self, request: Request) -> Response:
        return workspace().cookie.sign_out(redirect("/sign-in", 303))

    @page("GET", "/lang/<string:lang>", public=True)
    def language(self, request: Request, lang: str) -> Response:
        if lang not in LANGS:
            raise NotFound(f"no language {lang}")
        response = redirect(signin.safe_next(request.args.get("next")), 303)
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax", httponly=True)
        return response

    @page("GET", "/static/<string:name>", public=True)
    def static(self, request: Request, name: str) -> Response:
        kind = name.rsplit(".", 1)[-1]
        resource = STATIC / name
        if kind not in STATIC_TYPES or "/" in name or not resource.is_file():
            raise NotFound(name)
        response = Response(resource.read_bytes(), content_type=STATIC_TYPES[kind])
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    @page("GET", "/static/vendor/<string:package>@<string:version>/<path:name>", public=True)
    def vendor(self, request: Request, package: str, version: str, name: str) -> Response:
        """A file of an npm package (node_modules), at a path naming its version."""
        found = workspace().assets.file(package, version, name)
        if found is None:
            raise NotFound(f"{package}@{version}/{name}")
        body, content_type = found
        response = Response(body, content_type=content_type)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @page("GET", "/<path:anything>", public=True)
    def unknown(self, request: Request, anything: str) -> Response:
        raise NotFound(anything)
