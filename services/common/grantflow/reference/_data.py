"""Reading the YAML files under ``data/``, once per process."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import yaml


@cache
def load(name: str) -> Any:
    """The parsed content of ``data/<name>``; shared and cached, so callers must not mutate it."""
    text = files("grantflow.reference.data").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def as_date(value: Any, what: str) -> date:
    """A YAML date, refusing strings and datetimes so a typo in the data fails at load time."""
    if type(value) is not date:
        raise ValueError(f"{what}: expected a YYYY-MM-DD date, got {value!r}")
    return value


def as_int(value: Any, what: str) -> int:
    """A YAML integer, refusing floats and booleans: money and percentages are exact."""
    if type(value) is not int:
        raise ValueError(f"{what}: expected an integer, got {value!r}")
    return value
