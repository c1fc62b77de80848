"""Alembic environment of the disbursement service (run through `grantflow migrate`)."""

from disbursement.adapters.tables import metadata
from grantflow.migrate import run_env

run_env(metadata)
