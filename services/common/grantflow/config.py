"""Typed configuration from the environment, checked once at start.

Every variable is listed in the README. A bad value stops the process with one line per
problem, naming the variable, instead of failing later inside a handler.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

REPO_ROOT = Path(__file__).resolve().parents[3]

SERVICE_PORTS = {
    "proposals": 8001,
    "disbursement": 8002,
    "notifications": 8003,
    "reporting": 8004,
    "workspace": 8005,
    "registry": 8006,
}


# Signs development tokens only: a production start with it is refused (`production_problems`).
DEVELOPMENT_SECRET = "grantflow-development-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32


class ConfigError(Exception):
    """The environment does not describe a runnable configuration."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    # URIs may carry a password: kept out of the settings' repr, like the secrets below.
    amqp_uri: str = Field("amqp://guest:guest@localhost:5672/", repr=False)
    database_url: str = Field("sqlite:///var/grantflow.db", repr=False)
    http_host: str = "0.0.0.0"
    proposals_port: int = Field(SERVICE_PORTS["proposals"], ge=1, le=65535)
    disbursement_port: int = Field(SERVICE_PORTS["disbursement"], ge=1, le=65535)
    notifications_port: int = Field(SERVICE_PORTS["notifications"], ge=1, le=65535)
    reporting_port: int = Field(SERVICE_PORTS["reporting"], ge=1, le=65535)
    workspace_port: int = Field(SERVICE_PORTS["workspace"], ge=1, le=65535)
    registry_port: int = Field(SERVICE_PORTS["registry"], ge=1, le=65535)

    lifecycle_exchange: str = "grantflow.lifecycle"
    dead_letter_queue: str = "grantflow.lifecycle.dead"
    events_exchange: str = "grantflow.events"
    events_alternate_exchange: str = "grantflow.events.unrouted"

    ingest_batch_size: int = Field(200, ge=1, le=5000)
    ingest_batch_linger_ms: int = Field(20, ge=0, le=5000)
    ingest_retry_window_seconds: float = Field(600.0, gt=0)
    ingest_retry_delays_seconds: Annotated[tuple[float, ...], NoDecode] = (1.0, 5.0, 30.0, 60.0)
    # The largest event body taken, over AMQP (else dead-lettered `too_large`) or HTTP (413).
    max_message_bytes: int = Field(1_048_576, ge=1024, le=64 * 1_048_576)

    # One fact for both services that apply it (disbursement's repayment_overdue, reporting's
    # lag rule): REPAYMENT_GRACE_DAYS; REPORTING_REPAYMENT_GRACE_DAYS, reporting's old name for
    # it, is still read when the new one is not set.
    repayment_grace_days: int = Field(
        30,
        ge=0,
        le=365,
        validation_alias=AliasChoices("REPAYMENT_GRACE_DAYS", "REPORTING_REPAYMENT_GRACE_DAYS"),
    )
    overdue_check_seconds: float = Field(3600.0, gt=0)

    outbox_batch_size: int = Field(500, ge=1, le=10000)
    outbox_poll_seconds: float = Field(0.5, gt=0)

    contracts_dir: Path = REPO_ROOT / "contracts"
    log_level: str = "INFO"
    log_format: str = Field("json", pattern="^(json|text)$")
    grantflow_env: str = Field("development", pattern="^(development|test|production)$")

    auth_jwt_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    auth_public_keys_file: Path | None = None
    auth_jwks_file: Path | None = None
    auth_audience: str = "grantflow"
    auth_issuer: str = ""  # the `iss` every token must carry (empty: not checked)
    auth_leeway_seconds: int = Field(30, ge=0, le=300)  # clock skew allowed on exp/nbf/iat
    auth_allowed_sources: str = ""  # a YAML file, or inline YAML/JSON: type -> [source patterns]
    auth_source_users: str = ""  # the same forms: source pattern -> [RabbitMQ users] (trust.py)
    auth_client_token: SecretStr = SecretStr("")  # what this service presents to another one

    @field_validator("amqp_uri")
    @classmethod
    def _amqp_scheme(cls, value: str) -> str:
        if urlsplit(value).scheme not in ("amqp", "amqps"):
            raise ValueError("must be an amqp:// or amqps:// URI")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str) -> str:
        scheme = urlsplit(value).scheme.split("+")[0]
        if scheme not in ("postgresql", "sqlite"):
            raise ValueError("must be a postgresql:// or sqlite:/// URL")
        return value

    @field_validator("ingest_retry_delays_seconds", mode="before")
    @classmethod
    def _delays(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(float(part) for part in value.split(",") if part.strip())
        if not value or any(float(v) <= 0 for v in value):
            raise ValueError("must be a comma-separated list of positive seconds")
        return value

    @field_validator("contracts_dir")
    @classmethod
    def _contracts_exist(cls, value: Path) -> Path:
        if not (value / "events").is_dir():
            raise ValueError(f"{value}/events does not exist")
        return value

    @property
    def asymmetric_keys(self) -> bool:
        return bool(self.auth_public_keys_file or self.auth_jwks_file)

    def hs256_secret(self) -> str | None:
        """The shared secret HS256 tokens are verified with, or None when HS256 is refused:
        with public keys or a JWKS configured, only a strong secret of one's own is accepted
        (never the development default); in production, never the development default."""
        secret = self.auth_jwt_secret.get_secret_value()
        if not secret:
            return None
        weak = secret == DEVELOPMENT_SECRET or len(secret) < MIN_SECRET_LENGTH
        if weak and (self.asymmetric_keys or self.grantflow_env == "production"):
            return None
        return secret

    def production_problems(self) -> list[str]:
        """What makes this configuration unfit for `GRANTFLOW_ENV=production` (empty if fit)."""
        if self.grantflow_env != "production":
            return []
        problems = []
        secret = self.auth_jwt_secret.get_secret_value()
        if secret == DEVELOPMENT_SECRET:
            problems.append(
                "AUTH_JWT_SECRET is the development default; set a secret of your own "
                f"({MIN_SECRET_LENGTH}+ characters), or set it empty and use "
                "AUTH_PUBLIC_KEYS_FILE / AUTH_JWKS_FILE"
            )
        elif 0 < len(secret) < MIN_SECRET_LENGTH:
            problems.append(f"AUTH_JWT_SECRET is shorter than {MIN_SECRET_LENGTH} characters")
        elif not secret and not self.asymmetric_keys:
            problems.append(
                "no way to verify tokens: set AUTH_PUBLIC_KEYS_FILE / AUTH_JWKS_FILE "
                "or AUTH_JWT_SECRET"
            )
        if not self.auth_client_token.get_secret_value():
            problems.append(
                "AUTH_CLIENT_TOKEN is empty; give the service its own service-to-service token"
            )
        if (urlsplit(self.amqp_uri).username or "guest") == "guest":
            problems.append(
                "AMQP_URI uses RabbitMQ's guest user; give the service a user of its own"
            )
        return problems

    def database_problems(self) -> list[str]:
        """What production refuses of the database of a service that keeps data."""
        if urlsplit(self.database_url).scheme.split("+")[0] != "postgresql":
            return [
                "DATABASE_URL is not PostgreSQL: SQLite is for development and tests only;"
                " set DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DATABASE"
            ]
        return []

    def port_of(self, service: str) -> int:
        return int(getattr(self, f"{service}_port"))


@cache
def settings() -> Settings:
    """The process's settings; raises ConfigError with one line per bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = [
            f"{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        ]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None
    except SettingsError as exc:
        raise ConfigError(f"invalid configuration: {exc}") from None
