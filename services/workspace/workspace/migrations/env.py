"""Alembic environment of the workspace (run through `grantflow migrate`): it owns no tables,
so its history is empty; `grantflow migrate` treats every service alike."""

from grantflow.alembic_env import run_env
from workspace.adapters.tables import metadata

run_env(metadata)
