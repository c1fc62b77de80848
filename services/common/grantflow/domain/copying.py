"""A copy of a domain record that a rule may change without touching the loaded one."""

from __future__ import annotations

import copy
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def to_change(record: T) -> T:
    """A shallow copy with its lists, dicts and sets copied one level down.

    Cheaper than `copy.deepcopy` (6-7% of a service's CPU): the records' list items are frozen
    (`Line`) or plain values, and rules replace nested dicts instead of changing them in place.
    """
    fresh = copy.copy(record)
    for f in fields(fresh):  # type: ignore[arg-type]
        value: Any = getattr(fresh, f.name)
        if isinstance(value, list | dict | set):
            setattr(fresh, f.name, copy.copy(value))
    return fresh
