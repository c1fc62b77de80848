"""Alembic environment of the notifications service (run through `grantflow migrate`)."""

from grantflow.alembic_env import run_env
from notifications.adapters.tables import metadata

run_env(metadata)
