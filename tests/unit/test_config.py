"""grantflow.config: typed settings from the environment, checked once at start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grantflow.config import SERVICE_PORTS, ConfigError, Settings, settings

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv" / "bin" / "python"

# Variables the defaults depend on; conftest.py and the shell may have set some of them.
VARIABLES = [
    "AMQP_URI",
    "DATABASE_URL",
    "PROPOSALS_PORT",
    "DISBURSEMENT_PORT",
    "NOTIFICATIONS_PORT",
    "REPORTING_PORT",
    "INGEST_RETRY_DELAYS_SECONDS",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch):
    """No inherited value of the variables under test, and no cached settings either side."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    settings.cache_clear()
    yield
    settings.cache_clear()


def config_error(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> str:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        settings()
    return str(caught.value)


def test_the_defaults_point_at_a_local_broker_a_sqlite_file_under_var_and_ports_8001_to_8006():
    cfg = settings()
    assert cfg.amqp_uri == "amqp://guest:guest@localhost:5672/"
    assert cfg.database_url.startswith("sqlite:///")
    assert cfg.database_url.removeprefix("sqlite:///").startswith("var/")
    assert cfg.proposals_port == 8001
    assert cfg.disbursement_port == 8002
    assert cfg.notifications_port == 8003
    assert cfg.reporting_port == 8004
    assert cfg.registry_port == 8006
    assert {name: cfg.port_of(name) for name in SERVICE_PORTS} == {
        "proposals": 8001,
        "disbursement": 8002,
        "notifications": 8003,
        "reporting": 8004,
        "workspace": 8005,
        "registry": 8006,
    }
    assert cfg.ingest_retry_delays_seconds == (1.0, 5.0, 30.0, 60.0)


def test_settings_are_read_once_and_cached():
    assert settings() is settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AMQP_URI", "http://guest:guest@localhost:5672/"),
        ("AMQP_URI", "localhost:5672"),
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "var/grantflow.db"),
        ("PROPOSALS_PORT", "0"),
        ("DISBURSEMENT_PORT", "70000"),
        ("NOTIFICATIONS_PORT", "0"),
        ("REPORTING_PORT", "70000"),
        ("REPORTING_PORT", "eighty"),
        ("INGEST_RETRY_DELAYS_SECONDS", "1,-2"),
        ("INGEST_RETRY_DELAYS_SECONDS", "0"),
        ("INGEST_RETRY_DELAYS_SECONDS", ","),
    ],
)
def test_a_bad_value_raises_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
):
    message = config_error(monkeypatch, name, value)
    assert name in message
    others = [other for other in VARIABLES if other != name]
    assert not any(other in message for other in others), message


def test_every_bad_variable_gets_its_own_line(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AMQP_URI", "http://x")
    message = config_error(monkeypatch, "DATABASE_URL", "mysql://x")
    lines = message.splitlines()
    assert sum("AMQP_URI" in line for line in lines) == 1
    assert sum("DATABASE_URL" in line for line in lines) == 1
    assert not any("AMQP_URI" in line and "DATABASE_URL" in line for line in lines)


def test_a_bad_value_is_not_cached_so_a_fixed_environment_is_read_again(
    monkeypatch: pytest.MonkeyPatch,
):
    config_error(monkeypatch, "PROPOSALS_PORT", "0")
    monkeypatch.setenv("PROPOSALS_PORT", "9001")
    assert settings().proposals_port == 9001


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AMQP_URI", "amqps://user:pw@broker.example:5671/grantflow"),
        ("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/grantflow"),
        ("DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1/grantflow"),
        ("DATABASE_URL", "sqlite:////tmp/grantflow.db"),
    ],
)
def test_good_urls_are_kept_as_given(monkeypatch: pytest.MonkeyPatch, name: str, value: str):
    monkeypatch.setenv(name, value)
    assert getattr(settings(), name.lower()) == value


@pytest.mark.parametrize(("value", "port"), [("1", 1), ("65535", 65535), ("9001", 9001)])
def test_ports_from_1_to_65535_are_accepted(monkeypatch: pytest.MonkeyPatch, value: str, port):
    monkeypatch.setenv("REPORTING_PORT", value)
    assert settings().port_of("reporting") == port


def test_retry_delays_parse_from_a_comma_separated_list_of_seconds(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("INGEST_RETRY_DELAYS_SECONDS", "0.5,2")
    delays = settings().ingest_retry_delays_seconds
    assert delays == (0.5, 2.0)
    assert all(type(d) is float for d in delays)


def test_retry_delays_tolerate_spaces_and_a_trailing_comma(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("INGEST_RETRY_DELAYS_SECONDS", " 1 , 3,")
    assert settings().ingest_retry_delays_seconds == (1.0, 3.0)


def test_settings_can_be_built_directly_with_the_same_checks():
    assert Settings(database_url="sqlite:////tmp/x.db").database_url == "sqlite:////tmp/x.db"
    with pytest.raises(ValueError, match="postgresql"):
        Settings(database_url="mysql://x")


def test_cli_migrate_with_a_bad_database_url_exits_2_with_one_line_naming_it():
    env = {**os.environ, "DATABASE_URL": "mysql://x"}
    python = str(PYTHON) if PYTHON.exists() else sys.executable
    result = subprocess.run(
        [python, "-m", "grantflow_tools.cli", "migrate"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    naming = [line for line in result.stderr.splitlines() if "DATABASE_URL" in line]
    assert len(naming) == 1, result.stderr
    assert "postgresql" in naming[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_repayment_grace_is_one_setting_for_disbursement_and_reporting(monkeypatch):
    """REPAYMENT_GRACE_DAYS is read by both services; reporting's old name still works, and
    the lag rules take the shared value."""
    from reporting.config import ReportingSettings

    for name in ("REPAYMENT_GRACE_DAYS", "REPORTING_REPAYMENT_GRACE_DAYS"):
        monkeypatch.delenv(name, raising=False)
    assert settings().repayment_grace_days == 30
    monkeypatch.setenv("REPORTING_REPAYMENT_GRACE_DAYS", "60")
    settings.cache_clear()
    assert settings().repayment_grace_days == 60
    assert ReportingSettings().rules().repayment_grace_days == 60
    monkeypatch.setenv("REPAYMENT_GRACE_DAYS", "45")
    settings.cache_clear()
    assert settings().repayment_grace_days == 45
    assert ReportingSettings().rules().repayment_grace_days == 45
