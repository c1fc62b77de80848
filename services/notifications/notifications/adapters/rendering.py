"""What an email says: Jinja2 templates (`adapters/templates/`) rendered for one recipient.

Each email has a plain-text and an HTML part, in the recipient's language (templates
`<name>.<vi|en>.<txt|html>.j2`). The subject is set by the text template (`{% set subject %}`).
`notifications.domain.message.compose` then makes the message that is sent.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from grantflow.formatting import day, moment, number, percent, vnd, vnd_short
from grantflow.reference import province, region_label
from notifications.domain.headers import clean_header
from notifications.domain.links import workspace_link
from notifications.domain.message import Rendered
from notifications.domain.model import Alert
from notifications.domain.planning import Digest, Email

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGE_ORDER = ("vi", "en")  # the order of the words in templates/labels.yaml
REPORT_PATH = "/api/v1/reports/provinces"
COLOURS = {
    "normal": "#2b8a3e",
    "watch": "#b7791f",
    "warning": "#d9480f",
    "critical": "#c92a2a",
    "resolved": "#2b8a3e",
    "digest": "#1e3a8a",
}


def province_name(code: str, on: date, data: Any = None) -> str:
    named = (data or {}).get("province_name")
    if named:
        return str(named)
    found = province(code, on)
    return found.name if found else code


def report_url(base: str, a: Alert | None, on: date | None = None) -> str:
    query: dict[str, Any] = {}
    if a is not None:
        query = {"province": a.province, "year": a.year, "source_fund": a.source_fund}
        on = a.on
    if on is not None:
        query["as_of"] = on.isoformat()
    return f"{base}{REPORT_PATH}?{urlencode(query)}" if query else f"{base}{REPORT_PATH}"


def view(
    a: Alert, news: frozenset[str] = frozenset(), silenced: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """What a template sees of an alert."""
    return {
        "fingerprint": a.fingerprint,
        "kind": a.kind,
        "level": a.level.label,
        "province": a.province,
        "province_name": province_name(a.province, a.on, a.data),
        "year": a.year,
        "source_fund": a.source_fund,
        "proposal_id": a.proposal_id,
        "data": a.data,
        "since": a.starts_at,
        "is_new": a.fingerprint in news,
        "silenced": a.fingerprint in silenced,
    }


@cache
def words() -> dict[str, dict[str, list[str]]]:
    """The words for codes, ``{"level": {"warning": ["Cảnh báo", "Warning"], ...}, ...}``."""
    loaded: dict[str, dict[str, list[str]]] = yaml.safe_load(
        (TEMPLATES / "labels.yaml").read_text(encoding="utf-8")
    )
    return loaded


class Labels:
    """``t.level["warning"]`` in a template; an unknown code shows as itself, an unknown
    language as Vietnamese."""

    def __init__(self, lang: str) -> None:
        self._index = LANGUAGE_ORDER.index(lang) if lang in LANGUAGE_ORDER else 0

    def __getattr__(self, name: str) -> _Lookup:
        table = words().get(name)
        if table is None:
            raise AttributeError(name)
        return _Lookup({code: said[self._index] for code, said in table.items()})


class _Lookup(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return str(key)


class Renderer:
    def __init__(self, report_base_url: str, workspace_base_url: str = "") -> None:
        self.report_base_url = report_base_url
        self.workspace_base_url = workspace_base_url  # when set, links open the workspace
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            vnd=vnd,
            vnd_short=vnd_short,
            percent=percent,
            day=day,
            moment=moment,
            number=number,
            group_name=lambda name, lang="vi": region_label(str(name), lang),
        )

    def _link(self, a: Alert | None, on: date | None = None) -> str:
        return _link_of(self, a, on)

    def alert_email(self, email: Email, now: datetime) -> Rendered:
        alerts = email.firing or email.resolved
        primary = alerts[0]
        context = {
            "recipient": email.recipient,
            "province": email.group,
            "province_name": province_name(email.group, primary.on, primary.data),
            "firing": [view(a, email.news) for a in email.firing],
            "resolved": [view(a) for a in email.resolved],
            "primary": view(primary, email.news),
            "others": len(email.firing) + len(email.resolved) - 1,
            "repeat": email.repeat,
            "report_url": self._link(_reported(alerts)),
            "sent_at": now,
            "colour": COLOURS[primary.level.label if email.firing else "resolved"],
        }
        return self._render("alert", email.recipient.language, context)

    def digest(self, d: Digest, now: datetime) -> Rendered:
        context = {
            "recipient": d.recipient,
            "day": d.day,
            "firing": [view(a, silenced=d.silenced) for a in d.firing],
            "started": [view(a, silenced=d.silenced) for a in d.started],
            "resolved": [view(a) for a in d.resolved],
            "report_url": self._link(None, d.day),
            "sent_at": now,
            "colour": COLOURS["digest"],
        }
        return self._render("digest", d.recipient.language, context)

    def _render(self, name: str, lang: str, context: dict[str, Any]) -> Rendered:
        context = {**context, "lang": lang, "t": Labels(lang), "colours": COLOURS}
        module = self.env.get_template(f"{name}.{lang}.txt.j2").make_module(context)
        subject = clean_header(module.subject)  # type: ignore[attr-defined]
        text = str(module).strip() + "\n"
        html = self.env.get_template(f"{name}.{lang}.html.j2").render(context, subject=subject)
        return Rendered(subject, text, html)


def _link_of(renderer: Renderer, a: Alert | None, on: date | None = None) -> str:
    base = renderer.workspace_base_url
    if not base:
        return report_url(renderer.report_base_url, a, on)
    if a is None:
        return workspace_link(base, on=on)
    pid = None if a.is_state else a.proposal_id
    return workspace_link(base, a.province, a.year, a.source_fund, pid, a.on)


def _reported(alerts: tuple[Alert, ...]) -> Alert:
    """The report to link: the province alert's scope, else the first alert's."""
    return next((a for a in alerts if a.is_state), alerts[0])
