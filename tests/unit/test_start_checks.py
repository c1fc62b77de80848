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
    "SMTP_HOST": "relay.example.gov.vn",
    "SMTP_SECURITY": "starttls",
    "SMTP_USERNAME": "grantflow",
    "SMTP_PASSWORD": "relay-password",
    "REPORT_BASE_URL": "https://reporting.grantflow.example.gov.vn",
}


def grantflow(command: str, service: str, **env: str) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "AMQP_"))}
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
