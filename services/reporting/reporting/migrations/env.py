"""Alembic environment of the reporting service (run through `grantflow migrate`)."""

from grantflow.migrate import run_env
from reporting.adapters.tables import metadata

run_env(metadata)
