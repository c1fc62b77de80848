"""A screen answers its page, or one of its tables as CSV or XLSX with the same filters; to
htmx (the `HX-Request` header), only the page's main content, which it swaps in."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from workspace.errors import BadInput
from workspace.views.exports import download
from workspace.views.render import Pages

FORMATS = ("csv", "xlsx")


def from_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def html(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, content_type="text/html; charset=utf-8")
    response.vary.add("HX-Request")  # the same address answers a page or its main content
    return response


def screen(
    pages: Pages, request: Request, visitor: Any, template: str, name: str, **context: Any
) -> Response:
    """`?export=<table>&format=csv|xlsx` downloads that table; otherwise the page."""
    wanted = request.args.get("export")
    if wanted:
        fmt = request.args.get("format", "csv")
        tables = context.get("tables") or {}
        if wanted not in tables or fmt not in FORMATS:
            raise BadInput(f"export one of {', '.join(tables)} as csv or xlsx")
        return download(tables[wanted], fmt, f"{name}-{wanted}")
    query = {k: v for k, v in request.args.items() if k not in ("export", "format")}
    partial = from_htmx(request)
    return html(pages.render(template, visitor, partial, request=request, query=query, **context))


def moved(request: Request, target: str) -> Response:
    """After a form's POST: a 303 to `target`; to htmx, `HX-Location`, so that it fetches
    `target`'s main content into <main> and puts `target` in the address bar."""
    if not from_htmx(request):
        return redirect(target, 303)
    response = Response("", status=200)
    response.headers["HX-Location"] = json.dumps({"path": target, "target": "#main"})
    return response
