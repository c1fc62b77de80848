"""Alembic for every service: each has its own scripts and its own version table.

The env.py every service runs is `grantflow.alembic_env.run_env`."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config

from grantflow_tools.registry import ServiceEntry


def upgrade(service: ServiceEntry, url: str, revision: str = "head") -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(service.migrations))
    cfg.attributes["url"] = url
    cfg.attributes["version_table"] = service.version_table
    command.upgrade(cfg, revision)


def migrate_all(services: list[ServiceEntry], url: str, echo: Any = print) -> None:
    for service in services:
        upgrade(service, url)
        echo(f"{service.name}: migrations applied")
