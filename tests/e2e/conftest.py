"""End-to-end: the services as real processes, the same database and broker fixtures."""

from tests.integration.conftest import Pipeline, clean, engine  # noqa: F401 - fixtures

__all__ = ["Pipeline"]
