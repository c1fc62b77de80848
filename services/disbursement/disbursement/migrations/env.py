"""Alembic environment of the disbursement service (run through `grantflow migrate`)."""

from disbursement.adapters.tables import metadata
from grantflow.alembic_env import run_env

run_env(metadata)
