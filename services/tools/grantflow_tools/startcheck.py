"""What a service refuses to start with: the checks `grantflow run` makes before it starts.

`grantflow check SERVICE...` runs the same checks and says what is wrong, or nothing. They read
the environment as it is now (never the cached settings): the shared settings
(`grantflow.config.Settings`, and its `production_problems`) and every pydantic settings class
of the service's own `<package>.config` module (its validators, and its `production_problems`
if it has one). With `GRANTFLOW_ENV=production`, a variable still holding an overlay's
placeholder (`CHANGE-ME`) is refused too.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from grantflow.config import ConfigError, Settings
from grantflow_tools.registry import ServiceEntry, resolve

PLACEHOLDER = "CHANGE-ME"


def start_problems(names: list[str]) -> list[str]:
    """One line per reason the services `names` would refuse to start (empty: they start)."""
    problems = _problems_of(Settings)
    entries = resolve(names)
    for entry in entries:
        for cls in service_settings(entry):
            problems += [p for p in _problems_of(cls) if p not in problems]
    if os.environ.get("GRANTFLOW_ENV", "").strip().lower() == "production":
        if any(entry.keeps_data for entry in entries):
            problems += _database_problems()
        problems += [
            f"{name} holds the placeholder {PLACEHOLDER}: fill it in (docs/operations.md)"
            for name, value in sorted(os.environ.items())
            if PLACEHOLDER in value
        ]
    return problems


def _database_problems() -> list[str]:
    try:
        return Settings().database_problems()
    except (ConfigError, ValidationError):
        return []  # already named by the shared settings' own problems


def refuse_to_start(names: list[str]) -> None:
    """Raises ConfigError naming every problem of `start_problems`."""
    problems = start_problems(names)
    if problems:
        production = os.environ.get("GRANTFLOW_ENV", "").strip().lower() == "production"
        heading = "refusing to start with GRANTFLOW_ENV=production" if production else "invalid"
        raise ConfigError(f"{heading}:\n  " + "\n  ".join(problems))


def service_settings(entry: ServiceEntry) -> list[type[BaseSettings]]:
    """The pydantic settings classes a service defines in `<package>.config` (if it has one)."""
    name = f"{entry.package}.config"
    if find_spec(name) is None:
        return []
    module = import_module(name)
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, BaseSettings) and cls.__module__ == name
    ]


def setting_names(cls: type[BaseSettings]) -> Iterator[str]:
    """The environment variables a settings class reads."""
    prefix = cls.model_config.get("env_prefix", "")
    for field in cls.model_fields:
        yield f"{prefix}{field}".upper()


def _problems_of(cls: type[BaseSettings]) -> list[str]:
    try:
        loaded: Any = cls.load() if hasattr(cls, "load") else cls()
    except ConfigError as exc:
        return [line.strip() for line in str(exc).splitlines()[1:]] or [str(exc)]
    except ValidationError as exc:
        prefix = cls.model_config.get("env_prefix", "").upper()
        return [
            f"{prefix}{'_'.join(str(p) for p in err['loc']).upper() or cls.__name__}: {err['msg']}"
            for err in exc.errors()
        ]
    check = getattr(loaded, "production_problems", None)
    return list(check()) if callable(check) else []
