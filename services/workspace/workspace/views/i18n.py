"""The workspace's words in Vietnamese (default) and English, and its tables' columns: both
read once from `words.yaml`, beside this module."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from grantflow.reference import region_label
from workspace.domain.export import Column, Table


@cache
def _data() -> dict[str, Any]:
    return yaml.safe_load((files("workspace.views") / "words.yaml").read_text("utf-8"))


def word(key: str, lang: str) -> str:
    """`word("overview", "en") == "Overview"`; an unknown key as is."""
    pair = _data()["words"].get(key)
    if pair is None:
        return key
    return str(pair[1] if lang == "en" else pair[0])


def region_name(region: str | None, lang: str) -> str | None:
    """A region's or grouping's name in the visitor's language (None stays None)."""
    return region_label(region, lang) if region else None


@cache
def columns(spec: str) -> tuple[Column, ...]:
    """The columns of the table `spec` of words.yaml (`key as column` entries renamed)."""
    found = []
    for entry in _data()["tables"][spec]:
        key, _, header = (part.strip() for part in entry.partition(" as "))
        c = _data()["columns"][header or key]
        found.append(Column(key, c["vi"], c["en"], c.get("kind", "text")))
    return tuple(found)


def table(name: str, rows: list[dict[str, Any]], spec: str | None = None) -> Table:
    """A page's table `name` holding `rows`, with the columns of words.yaml's `spec` (`name`
    unless said)."""
    return Table(name, list(columns(spec or name)), rows)
