"""Which internal system may send which lifecycle event over AMQP.

`AUTH_ALLOWED_SOURCES` maps each event type to the `source` patterns (fnmatch) it is accepted
from, as a YAML file or the same YAML inline, e.g. `{disbursement.made: ["urn:kbnn:*"]}`;
unset, the packaged `allowed_sources.yaml` applies. A type with no entry is accepted from no
one. An event from another source is dead-lettered with `source_not_allowed`.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml

from grantflow.config import ConfigError, settings
from grantflow.errors import Refused


class SourcePolicy:
    def __init__(self, allowed: dict[str, list[str]]) -> None:
        self.allowed = allowed

    def check(self, event_type: str, source: str) -> None:
        patterns = self.allowed.get(event_type, [])
        if not any(fnmatchcase(source, p) for p in patterns):
            raise Refused(
                "source_not_allowed",
                f"{event_type} is not accepted from {source}; allowed sources: "
                f"{', '.join(patterns) or 'none'} (AUTH_ALLOWED_SOURCES)",
            )


def parse(text: str) -> SourcePolicy:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"AUTH_ALLOWED_SOURCES is not YAML: {exc}") from None
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(p, str) for p in v)
        for k, v in raw.items()
    ):
        raise ConfigError("AUTH_ALLOWED_SOURCES must map each event type to a list of patterns")
    return SourcePolicy(raw)


@cache
def source_policy() -> SourcePolicy:
    configured = settings().auth_allowed_sources.strip()
    if not configured:
        return parse(files("grantflow").joinpath("allowed_sources.yaml").read_text())
    if "\n" not in configured and Path(configured).is_file():
        return parse(Path(configured).read_text())
    return parse(configured)
