"""Alembic environment of the workspace: it owns no tables (it reads through the services'
APIs), so its history is empty; `grantflow migrate` treats every service alike."""

from sqlalchemy import MetaData

from grantflow.migrate import run_env

run_env(MetaData())
