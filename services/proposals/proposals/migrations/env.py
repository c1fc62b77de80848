"""Alembic environment of the proposals service (run through `grantflow migrate`)."""

from grantflow.alembic_env import run_env
from proposals.adapters.tables import metadata

run_env(metadata)
