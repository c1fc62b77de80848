"""Alembic environment of the registry service (run through `grantflow migrate`)."""

from grantflow.alembic_env import run_env
from registry.adapters.tables import metadata

run_env(metadata)
