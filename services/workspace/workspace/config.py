"""The workspace's settings (`WORKSPACE_*`), read once at start by `bootstrap`."""

from __future__ import annotations

import json
from functools import cache

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from grantflow.config import DEVELOPMENT_SECRET, settings

ROLE_MAP = {
    "grantflow-central": "central_officer",
    "grantflow-finance": "finance",
    "grantflow-auditor": "auditor",
    "grantflow-province": "province_officer",
}


class WorkspaceSettings(BaseSettings):
    """Where the other services answer, how people sign in, how the session is kept."""

    model_config = SettingsConfigDict(env_prefix="WORKSPACE_", extra="ignore")

    proposals_url: str = "http://127.0.0.1:8001"
    disbursement_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    reporting_url: str = "http://127.0.0.1:8004"
    public_url: str = "http://127.0.0.1:8005"  # where browsers reach the workspace
    session_secret: str = ""  # signs the session cookie; default: AUTH_JWT_SECRET
    session_hours: int = Field(8, ge=1, le=72)
    secure_cookie: bool = False  # set behind HTTPS
    dev_sign_in: bool | None = None  # default: on outside production
    api_timeout_seconds: float = Field(20.0, gt=0)
    assets_dir: str = ""  # npm's node_modules (htmx); default: the repository's node_modules
    # OpenID Connect (production): the identity provider and how its claims map to roles.
    oidc_issuer: str = ""  # e.g. https://id.example.gov.vn/realms/moit
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scope: str = "openid profile email"
    oidc_role_claim: str = "groups"  # a string or a list of strings
    oidc_role_map: str = json.dumps(ROLE_MAP)  # claim value -> grantflow role
    oidc_provinces_claim: str = "provinces"  # GSO codes, a list or "74,80"
    oidc_subject_claim: str = "preferred_username"
    # Read here, not through grantflow's cached settings, so that `grantflow check` sees it.
    grantflow_env: str = Field("development", validation_alias="GRANTFLOW_ENV")

    @field_validator("proposals_url", "disbursement_url", "notifications_url", "reporting_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("oidc_role_map")
    @classmethod
    def _role_map(cls, value: str) -> str:
        mapping = json.loads(value)
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise ValueError("must be a JSON object: claim value -> role")
        return value

    @model_validator(mode="after")
    def _production(self) -> WorkspaceSettings:
        if self.grantflow_env == "production":
            if self.dev_sign_in:
                raise ValueError("WORKSPACE_DEV_SIGN_IN cannot be on in production")
            if not self.oidc_issuer or not self.oidc_client_id:
                raise ValueError("production needs WORKSPACE_OIDC_ISSUER and _CLIENT_ID")
            if len(self.session_secret) < 32:
                raise ValueError("production needs WORKSPACE_SESSION_SECRET of 32+ characters")
        return self

    @property
    def development_sign_in(self) -> bool:
        if self.dev_sign_in is not None:
            return self.dev_sign_in
        return self.grantflow_env != "production"

    @property
    def cookie_secret(self) -> str:
        return (
            self.session_secret
            or settings().auth_jwt_secret.get_secret_value()
            or DEVELOPMENT_SECRET
        )

    def roles_by_claim(self) -> dict[str, str]:
        return dict(json.loads(self.oidc_role_map))


@cache
def workspace_settings() -> WorkspaceSettings:
    return WorkspaceSettings()
