"""Alembic environment of the reporting service (run through `grantflow migrate`)."""

from grantflow.alembic_env import run_env
from reporting.adapters.tables import metadata

run_env(metadata)
