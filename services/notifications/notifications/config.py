"""The notifications service's settings: environment variables, the container's config on top.

Every variable is listed in the README. A key of the same name in the nameko container config
(e.g. ``SMTP_PORT`` passed to a `ServiceRunner`) overrides the environment, as the relay does.
With no SMTP_HOST the service writes each email as an .eml file under MAIL_DIR, so the demo
works with nothing installed; in production that is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from grantflow.config import ConfigError

DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    smtp_host: str = ""
    smtp_port: int = Field(0, ge=0, le=65535, description="0: 25, 587 (starttls) or 465 (tls)")
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_timeout_seconds: float = Field(30.0, gt=0)
    smtp_max_attempts: int = Field(5, ge=1, le=50)
    smtp_retry_initial_seconds: float = Field(1.0, gt=0)
    smtp_retry_max_seconds: float = Field(30.0, gt=0)
    smtp_defer_seconds: float = Field(300.0, gt=0)
    smtp_give_up_seconds: float = Field(86400.0, gt=0)
    mail_from: str = "grantflow <noreply@grantflow.localhost>"
    mail_dir: Path = Path("var/mail")
    recipients_file: Path | None = None
    group_wait_seconds: float = Field(30.0, ge=0)
    repeat_interval_seconds: float = Field(86400.0, gt=0)
    flush_interval_seconds: float = Field(1.0, gt=0)
    digest_hour: int = Field(7, ge=0, le=23, description="local hour (UTC+7) of the digest")
    digest_check_seconds: float = Field(300.0, gt=0)
    report_base_url: str = "http://localhost:8004"
    workspace_base_url: str = ""  # e.g. https://grantflow.example.vn: links open the workspace
    grantflow_env: str = Field("development", pattern="^(development|test|production)$")

    @field_validator("mail_from")
    @classmethod
    def _sender(cls, value: str) -> str:
        sender(value)
        return value

    @field_validator("recipients_file", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("recipients_file")
    @classmethod
    def _file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} is not a file")
        return value

    @field_validator("report_base_url", "workspace_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _complete(self) -> NotifySettings:
        if self.smtp_username and not self.smtp_password.get_secret_value():
            raise ValueError("SMTP_PASSWORD is required with SMTP_USERNAME")
        if self.grantflow_env == "production":
            self._fit_for_production()
        if self.smtp_retry_max_seconds < self.smtp_retry_initial_seconds:
            raise ValueError("SMTP_RETRY_MAX_SECONDS is below SMTP_RETRY_INITIAL_SECONDS")
        return self

    def _fit_for_production(self) -> None:
        if not self.smtp_host:
            raise ValueError("SMTP_HOST is required in production (.eml files are for demos)")
        if self.smtp_username and self.smtp_security == "none":
            raise ValueError(
                "SMTP_USERNAME with SMTP_SECURITY=none would send the password in clear; "
                "set SMTP_SECURITY to starttls or tls"
            )
        if (urlsplit(self.report_base_url).hostname or "") in LOOPBACK:
            raise ValueError(
                f"REPORT_BASE_URL is {self.report_base_url}: the emails' links would point "
                "at the reader's own machine; set the reports' public address"
            )

    @property
    def port(self) -> int:
        return self.smtp_port or DEFAULT_PORTS[self.smtp_security]

    @property
    def sender(self) -> Address:
        return sender(self.mail_from)

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None) -> NotifySettings:
        """Settings from the environment with `overrides` (container config keys) on top."""
        names = set(cls.model_fields)
        given = {k.lower(): v for k, v in (overrides or {}).items() if k.lower() in names}
        try:
            return cls(**given)
        except ValidationError as exc:
            lines = [
                f"{'_'.join(str(p) for p in err['loc']).upper() or 'NOTIFICATIONS'}: {err['msg']}"
                for err in exc.errors()
            ]
            raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None


def sender(text: str) -> Address:
    """``"grantflow <noreply@mof.gov.vn>"`` as an Address; ValueError when it is not one."""
    name, addr = parseaddr(text)
    if "@" not in addr or any(ch in text for ch in "\r\n"):
        raise ValueError(f"{text!r} is not a sender address like 'Name <user@domain>'")
    return Address(display_name=name, addr_spec=addr)
