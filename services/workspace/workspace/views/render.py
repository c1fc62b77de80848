"""Pages rendered from Jinja2 templates, in the visitor's language, amounts the Vietnamese way."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from grantflow import formatting
from workspace.adapters.assets import Assets
from workspace.domain.export import Column
from workspace.errors import PageError
from workspace.views.i18n import word


def _moment(value: str | None) -> str:
    if not value:
        return formatting.MISSING
    return formatting.moment(datetime.fromisoformat(value))


def cell(column: Column, value: Any, lang: str) -> str:
    """A table cell as the page shows it."""
    if value is None or value == "":
        return formatting.MISSING
    if column.kind == "vnd":
        return formatting.vnd(int(value), lang)
    if column.kind == "rate":
        return formatting.percent(float(value), lang)
    if column.kind == "date":
        return formatting.day(str(value))
    if column.kind == "moment":
        return _moment(str(value))
    if column.kind == "int":
        return formatting.number(int(value), lang)
    if column.kind == "level":
        return word(str(value), lang)
    return str(value)


class Pages:
    """Renders the workspace's templates; one instance per process (bootstrap)."""

    def __init__(self, dev_sign_in: bool, oidc: bool, assets: Assets) -> None:
        self.env = Environment(
            loader=PackageLoader("workspace", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.dev_sign_in = dev_sign_in
        self.oidc = oidc
        self.htmx = assets.url("htmx.org")

    def render(self, template: str, visitor: Any, partial: bool = False, **context: Any) -> str:
        """The page; `partial`, only its main content (what htmx swaps in)."""
        lang = visitor.lang

        def t(key: str) -> str:
            return word(key, lang)

        helpers = {
            "t": t,
            "lang": lang,
            "session": visitor.session,
            "vnd": lambda v: formatting.vnd(int(v), lang) if v is not None else "—",
            "vnd_short": lambda v: formatting.vnd_short(int(v), lang) if v is not None else "—",
            "pct": lambda v: formatting.percent(v, lang),
            "day": formatting.day,
            "moment": _moment,
            "cell": lambda column, value: cell(column, value, lang),
            "svg": Markup,
            "dev_sign_in": self.dev_sign_in,
            "oidc": self.oidc,
            "today": date.today().isoformat(),
            "htmx": self.htmx,
            "layout": "partial.html" if partial else "base.html",
        }
        return self.env.get_template(template).render(**helpers, **context)

    def error(self, error: PageError, visitor: Any, partial: bool = False) -> str:
        return self.render("error.html", visitor, partial, error=error)
