"""A screen answers its page, or one of its tables as CSV or XLSX with the same filters."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from workspace.errors import BadInput
from workspace.views.exports import download
from workspace.views.render import Pages

FORMATS = ("csv", "xlsx")


def html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/html; charset=utf-8")


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
    return html(pages.render(template, visitor, request=request, query=query, **context))
