"""The workspace service: thin page entrypoints over the handlers (read, call, render)."""

from __future__ import annotations

from datetime import date
from importlib.resources import files

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from workspace.adapters.session import LANG_COOKIE, LANGS
from workspace.bootstrap import workspace
from workspace.domain.filters import FilterError, read_filters
from workspace.errors import BadInput, NotFound
from workspace.handlers import alerts, operations, overview, proposal, province, region, signin
from workspace.views.screens import html, screen
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

    @page("GET", "/overview")
    def overview(self, request: Request) -> Response:
        app, f = workspace(), _filters(request)
        ctx = overview.overview(app.apis, self.visitor.session, f, self.visitor.lang)
        return screen(app.pages, request, self.visitor, "overview.html", "overview", f=f, **ctx)

    @page("GET", "/provinces/<string:code>")
    def province(self, request: Request, code: str) -> Response:
        app, f = workspace(), _filters(request)
        ctx = province.province_page(app.apis, self.visitor.session, code, f, self.visitor.lang)
        return screen(
            app.pages, request, self.visitor, "province.html", f"province-{code}", f=f, **ctx
        )

    @page("GET", "/proposals/<path:proposal_id>")
    def proposal(self, request: Request, proposal_id: str) -> Response:
        app = workspace()
        ctx = proposal.proposal_page(app.apis, self.visitor.session, proposal_id)
        return screen(app.pages, request, self.visitor, "proposal.html", "proposal", **ctx)

    @page("GET", "/reports/regions")
    def region(self, request: Request) -> Response:
        app = workspace()
        name = request.args.get("region") or "south_2016"
        period = request.args.get("period") or "2016-H1"
        ctx = region.region_page(app.apis, self.visitor.session, name, period)
        return screen(
            app.pages,
            request,
            self.visitor,
            "region.html",
            f"region-{name}-{period}",
            region=name,
            period=period,
            **ctx,
        )

    @page("GET", "/alerts")
    def alerts(self, request: Request) -> Response:
        app = workspace()
        ctx = alerts.alerts_page(app.apis, self.visitor.session, request.args.get("province"))
        return screen(app.pages, request, self.visitor, "alerts.html", "alerts", **ctx)

    @page("POST", "/alerts/silences")
    def create_silence(self, request: Request) -> Response:
        created = alerts.create_silence(workspace().apis, self.visitor.session, request.form)
        return redirect(f"/alerts?saved={created['id']}", 303)

    @page("POST", "/alerts/silences/<string:silence_id>/expire")
    def expire_silence(self, request: Request, silence_id: str) -> Response:
        alerts.expire_silence(workspace().apis, self.visitor.session, silence_id)
        return redirect("/alerts", 303)

    @page("GET", "/operations")
    def operations(self, request: Request) -> Response:
        app = workspace()
        ctx = operations.operations_page(app.apis, self.visitor.session, request.args.get("code"))
        return screen(app.pages, request, self.visitor, "operations.html", "operations", **ctx)

    @page("GET", "/operations/dead-letters/<int:dead_id>/redrive")
    def confirm_redrive(self, request: Request, dead_id: int) -> Response:
        app = workspace()
        item = operations.dead_letter(app.apis, self.visitor.session, dead_id)
        return html(app.pages.render("redrive.html", self.visitor, item=item))

    @page("POST", "/operations/dead-letters/<int:dead_id>/redrive")
    def redrive(self, request: Request, dead_id: int) -> Response:
        operations.redrive(workspace().apis, self.visitor.session, dead_id)
        return redirect(f"/operations?redriven={dead_id}", 303)

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

    @page("GET", "/<path:anything>", public=True)
    def unknown(self, request: Request, anything: str) -> Response:
        raise NotFound(anything)
