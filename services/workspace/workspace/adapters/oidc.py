"""OpenID Connect sign-in (authorization code with PKCE) against the ministry's provider.

authlib builds the authorization URL (state, nonce, S256 code challenge) and redeems the code
with the verifier; PyJWT checks the ID token against the provider's published keys (issuer,
audience, expiry, nonce). `claims_to_person` maps the claims to a grantflow role and provinces
as `WORKSPACE_OIDC_*` says.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from authlib.integrations.requests_client import OAuth2Session

from workspace.config import WorkspaceSettings
from workspace.errors import Forbidden

CALLBACK = "/sign-in/oidc/callback"


@dataclass(frozen=True)
class Person:
    sub: str
    name: str
    role: str
    provinces: list[str]


class OidcClient:
    def __init__(self, cfg: WorkspaceSettings) -> None:
        self.cfg = cfg
        self._metadata: dict[str, Any] | None = None
        self._keys: jwt.PyJWKClient | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = self.cfg.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
            answer = requests.get(url, timeout=10)
            answer.raise_for_status()
            self._metadata = answer.json()
        return self._metadata

    def _session(self) -> OAuth2Session:
        return OAuth2Session(
            self.cfg.oidc_client_id,
            self.cfg.oidc_client_secret or None,
            scope=self.cfg.oidc_scope,
            redirect_uri=self.cfg.public_url.rstrip("/") + CALLBACK,
            code_challenge_method="S256",
            token_endpoint_auth_method=(
                "client_secret_basic" if self.cfg.oidc_client_secret else "none"
            ),
        )

    def start(self) -> tuple[str, dict[str, str]]:
        """The provider's authorization URL and what the session keeps until the callback."""
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        url, state = self._session().create_authorization_url(
            self.metadata["authorization_endpoint"], nonce=nonce, code_verifier=verifier
        )
        return url, {"state": state, "nonce": nonce, "verifier": verifier}

    def finish(self, callback_url: str, kept: dict[str, str]) -> Person:
        """Redeems the code of `callback_url`; the person its ID token names."""
        client = self._session()
        client.state = kept.get("state")
        token = client.fetch_token(
            self.metadata["token_endpoint"],
            authorization_response=callback_url,
            code_verifier=kept.get("verifier"),
            state=kept.get("state"),
        )
        claims = self.verify_id_token(str(token.get("id_token") or ""), kept.get("nonce", ""))
        return claims_to_person(claims, self.cfg)

    def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        if self._keys is None:
            self._keys = jwt.PyJWKClient(self.metadata["jwks_uri"])
        try:
            key = self._keys.get_signing_key_from_jwt(id_token).key
            claims = jwt.decode(
                id_token,
                key,
                algorithms=["RS256", "ES256"],
                audience=self.cfg.oidc_client_id,
                issuer=self.metadata.get("issuer", self.cfg.oidc_issuer),
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise Forbidden(f"the identity provider's ID token is not valid: {exc}") from None
        if not nonce or claims.get("nonce") != nonce:
            raise Forbidden("the ID token's nonce does not match this sign-in")
        return claims


def claims_to_person(claims: dict[str, Any], cfg: WorkspaceSettings) -> Person:
    """`{"groups": ["grantflow-province"], "provinces": ["74"]}` -> a province officer of 74."""
    raw = claims.get(cfg.oidc_role_claim)
    values = [raw] if isinstance(raw, str) else list(raw or [])
    mapping = cfg.roles_by_claim()
    roles = [mapping[v] for v in values if isinstance(v, str) and v in mapping]
    if not roles:
        raise Forbidden(f"the account has no grantflow role in its {cfg.oidc_role_claim!r} claim")
    provinces_raw = claims.get(cfg.oidc_provinces_claim) or []
    if isinstance(provinces_raw, str):
        provinces_raw = provinces_raw.split(",")
    provinces = sorted({str(p).strip() for p in provinces_raw if str(p).strip()})
    role = roles[0]
    if role == "province_officer" and not provinces:
        raise Forbidden("a province officer's account names no province")
    sub = str(claims.get(cfg.oidc_subject_claim) or claims["sub"])
    return Person(sub=sub, name=str(claims.get("name") or sub), role=role, provinces=provinces)
