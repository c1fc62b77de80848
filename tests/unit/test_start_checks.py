"""What `grantflow run` refuses to start with in production, tried as operators start it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Fit for production except where a test says otherwise.
FIT = {
    "GRANTFLOW_ENV": "production",
    "AUTH_JWT_SECRET": "a-secret-of-this-environment-0123456789abcdef",
    "AUTH_CLIENT_TOKEN": "a-service-token-of-this-environment",
    "AMQP_URI": "amqp://grantflow-services:pw@127.0.0.1:1/grantflow",  # never reached
    "DATABASE_URL": "postgresql://grantflow:pw@127.0.0.1:1/grantflow",  # never reached
    "SMTP_HOST": "relay.example.gov.vn",
    "SMTP_SECURITY": "starttls",
    "SMTP_USERNAME": "grantflow",
    "SMTP_PASSWORD": "relay-password",
    "REPORT_BASE_URL": "https://reporting.grantflow.example.gov.vn",
}


def grantflow(command: str, service: str, **env: str) -> subprocess.CompletedProcess:
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "AMQP_", "DATABASE_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", command, service],
        capture_output=True,
        text=True,
        env={**inherited, **FIT, **env, "NOTIFICATIONS_PORT": "1"},
        cwd=REPO,
        timeout=60,
    )


def test_a_fit_production_configuration_passes_the_check():
    result = grantflow("check", "notifications")
    assert result.returncode == 0, result.stderr
    assert "would start" in result.stdout


@pytest.mark.parametrize(
    "env, says",
    [
        ({"SMTP_SECURITY": "none"}, "would send the password in clear"),
        ({"SMTP_SECURITY": "none", "SMTP_PORT": "25"}, "would send the password in clear"),
        ({"REPORT_BASE_URL": "http://localhost:8004"}, "REPORT_BASE_URL is http://localhost"),
        ({"REPORT_BASE_URL": "http://127.0.0.1"}, "REPORT_BASE_URL is http://127.0.0.1"),
        ({"SMTP_PASSWORD": "CHANGE-ME"}, "SMTP_PASSWORD holds the placeholder CHANGE-ME"),
    ],
)
def test_notifications_refuses_to_start_in_production(env: dict[str, str], says: str):
    result = grantflow("run", "notifications", **env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refusing to start with GRANTFLOW_ENV=production" in result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr, "refused before anything started"


def test_smtp_credentials_in_clear_are_allowed_outside_production():
    result = grantflow("check", "notifications", GRANTFLOW_ENV="development", SMTP_SECURITY="none")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("service", "url"),
    [("proposals", "sqlite:////data/grantflow.db"), ("registry", "sqlite+pysqlite:///:memory:")],
)
def test_production_refuses_a_database_that_is_not_postgresql(url: str, service: str):
    result = grantflow("run", service, DATABASE_URL=url)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refusing to start with GRANTFLOW_ENV=production" in result.stderr
    assert "DATABASE_URL is not PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr, "refused before anything started"


def test_production_refuses_the_default_database_too():
    """DATABASE_URL unset means the development default, a SQLite file: refused."""
    env = {k: v for k, v in FIT.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", "check", "proposals"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")} | env,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 2 and "DATABASE_URL is not PostgreSQL" in result.stderr


def test_a_postgresql_url_with_a_driver_passes_and_sqlite_is_fine_outside_production():
    ok = grantflow("check", "proposals", DATABASE_URL="postgresql+psycopg2://g:pw@db:5432/g")
    assert ok.returncode == 0, ok.stderr
    dev = grantflow("check", "proposals", GRANTFLOW_ENV="development", DATABASE_URL="sqlite://")
    assert dev.returncode == 0, dev.stderr
