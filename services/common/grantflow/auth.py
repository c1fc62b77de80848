"""Who is calling: bearer tokens (JWT) verified against the configured keys, and roles.

A token carries `sub`, `role`, `provinces` (GSO codes, for a province officer) and
`event_types` (for a system), with `aud` and `exp` checked:

    {"sub": "cb-74-lan", "role": "province_officer", "provinces": ["74"],
     "aud": "grantflow", "exp": 1767225600}

Keys: `AUTH_PUBLIC_KEYS_FILE` (PEM public keys, RS256/ES256) or `AUTH_JWKS_FILE` (a JWKS),
read once at start (`check_keys`: a missing or unreadable file stops the start), and
`AUTH_JWT_SECRET` (HS256), accepted only as `Settings.hs256_secret` allows: never the
development default beside public keys or in production. `AUTH_ISSUER` is checked when set;
`AUTH_LEEWAY_SECONDS` of clock skew is allowed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jwt

from grantflow.config import ConfigError, Settings, settings
from grantflow.errors import Refused

PROVINCE_OFFICER = "province_officer"
CENTRAL_OFFICER = "central_officer"
FINANCE = "finance"
AUDITOR = "auditor"
SYSTEM = "system"
ROLES = (PROVINCE_OFFICER, CENTRAL_OFFICER, FINANCE, AUDITOR, SYSTEM)

# Who may call what, named once and used in each service's `api(..., allow=...)`.
PEOPLE_READERS = frozenset({PROVINCE_OFFICER, CENTRAL_OFFICER, FINANCE, AUDITOR})
READERS = PEOPLE_READERS | {SYSTEM}
ALL_PROVINCE_READERS = frozenset({CENTRAL_OFFICER, FINANCE, AUDITOR, SYSTEM})
EVENT_WRITERS = frozenset({PROVINCE_OFFICER, CENTRAL_OFFICER, FINANCE, SYSTEM})
CENTRAL = frozenset({CENTRAL_OFFICER})
AUDIT_READERS = frozenset({AUDITOR, CENTRAL_OFFICER})

# The events finance records (payments, settlements and repayments); province officers
# write everything else about their own provinces.
FINANCE_TYPES = frozenset({"disbursement.made", "repayment.received", "proposal.settled"})
ASYMMETRIC = ["RS256", "ES256"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller of one request."""

    sub: str
    role: str
    provinces: frozenset[str] = field(default_factory=frozenset)
    event_types: frozenset[str] = field(default_factory=frozenset)

    @property
    def all_provinces(self) -> bool:
        return self.role != PROVINCE_OFFICER

    def province_filter(self) -> list[str] | None:
        """None when every province is visible, else the provinces of the token."""
        return None if self.all_provinces else sorted(self.provinces)

    def may_see(self, province: str | None) -> bool:
        return self.all_provinces or province in self.provinces

    def require_province(self, province: str | None) -> None:
        if not self.may_see(province):
            raise Refused("forbidden", f"province {province} is outside the caller's token")

    def require_event_type(self, event_type: str) -> None:
        """Refuses an event type the role may not post (`forbidden`)."""
        allowed = {
            CENTRAL_OFFICER: True,
            FINANCE: event_type in FINANCE_TYPES,
            PROVINCE_OFFICER: event_type not in FINANCE_TYPES,
            SYSTEM: event_type in self.event_types,
        }.get(self.role, False)
        if not allowed:
            raise Refused("forbidden", f"role {self.role} may not post {event_type}")


def bearer(header: str | None) -> str:
    if not header:
        raise Refused("unauthenticated", "send Authorization: Bearer <token>")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused("unauthenticated", "the Authorization header must be Bearer <token>")
    return token.strip()


def verify(token: str, cfg: Settings | None = None) -> Principal:
    """The principal of a valid token, or `Refused('unauthenticated')` saying why not."""
    cfg = cfg or settings()
    try:
        header = jwt.get_unverified_header(token)
        key, algorithms = _key_for(header, cfg)
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=cfg.auth_audience,
            issuer=cfg.auth_issuer or None,
            leeway=cfg.auth_leeway_seconds,
            options={"require": ["exp", "sub", "aud", *(["iss"] if cfg.auth_issuer else [])]},
        )
    except jwt.ExpiredSignatureError:
        raise Refused("unauthenticated", "the token has expired") from None
    except jwt.InvalidAudienceError:
        raise Refused("unauthenticated", f"the token is not for {cfg.auth_audience}") from None
    except jwt.InvalidIssuerError:
        raise Refused("unauthenticated", f"the token is not issued by {cfg.auth_issuer}") from None
    except jwt.PyJWTError as exc:
        raise Refused("unauthenticated", f"the token is not valid: {exc}") from None
    return principal_of(claims)


def principal_of(claims: dict[str, Any]) -> Principal:
    role = claims.get("role")
    if role not in ROLES:
        raise Refused("unauthenticated", f"the token's role must be one of {', '.join(ROLES)}")
    provinces = claims.get("provinces") or []
    types = claims.get("event_types") or []
    if not _strings(provinces) or not _strings(types) or not isinstance(claims["sub"], str):
        raise Refused("unauthenticated", "sub, provinces and event_types must be strings")
    return Principal(claims["sub"], role, frozenset(provinces), frozenset(types))


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _key_for(header: dict[str, Any], cfg: Settings) -> tuple[Any, list[str]]:
    alg = header.get("alg")
    if alg in ASYMMETRIC:
        keys = _public_keys(cfg.auth_public_keys_file, cfg.auth_jwks_file)
        if header.get("kid") in keys:
            return keys[header["kid"]], [alg]
        if len(keys) == 1:
            return next(iter(keys.values())), [alg]
        raise jwt.InvalidKeyError("no configured public key matches the token's kid")
    secret = cfg.hs256_secret()
    if alg == "HS256" and secret:
        return secret, ["HS256"]
    # repr: the header is the caller's text, and may hold CR/LF or anything else
    raise jwt.InvalidAlgorithmError(f"algorithm {alg!r} is not accepted")


def check_keys(cfg: Settings | None = None) -> None:
    """Reads the configured public keys once, at start; `ConfigError` naming the file if it is
    missing, unreadable or holds no key (so no request ever meets a 500 for it)."""
    cfg = cfg or settings()
    try:
        keys = _public_keys(cfg.auth_public_keys_file, cfg.auth_jwks_file)
    except Exception as exc:
        raise ConfigError(
            f"AUTH_PUBLIC_KEYS_FILE / AUTH_JWKS_FILE: cannot load the public keys: {exc}"
        ) from None
    if cfg.asymmetric_keys and not keys:
        raise ConfigError("AUTH_PUBLIC_KEYS_FILE / AUTH_JWKS_FILE: the file holds no key")


@cache
def _public_keys(pem_file: Path | None, jwks_file: Path | None) -> dict[str | None, Any]:
    """Keys by kid: a PEM file's keys are keyed `pem-<n>` (and None when there is one)."""
    keys: dict[str | None, Any] = {}
    if jwks_file:
        for jwk in json.loads(Path(jwks_file).read_text())["keys"]:
            keys[jwk.get("kid")] = jwt.PyJWK(jwk).key
    if pem_file:
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        text = Path(pem_file).read_text()
        blocks = [b for b in text.split("-----END PUBLIC KEY-----") if "BEGIN" in b]
        for n, block in enumerate(blocks):
            pem = (block.strip() + "\n-----END PUBLIC KEY-----\n").encode()
            keys[f"pem-{n}"] = load_pem_public_key(pem)
    return keys


def issue(
    role: str,
    sub: str,
    provinces: list[str] | None = None,
    event_types: list[str] | None = None,
    ttl_seconds: int = 3600,
    audience: str | None = None,
    secret: str | None = None,
) -> str:
    """A token signed with the configured secret (HS256): for development and tests."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    cfg = settings()
    claims: dict[str, Any] = {
        "sub": sub,
        "role": role,
        "aud": audience or cfg.auth_audience,
        "iat": int(time.time()),
        "exp": int(time.time()) + ttl_seconds,
    }
    if provinces:
        claims["provinces"] = list(provinces)
    if event_types:
        claims["event_types"] = list(event_types)
    if cfg.auth_issuer:
        claims["iss"] = cfg.auth_issuer
    return jwt.encode(claims, secret or cfg.auth_jwt_secret.get_secret_value(), algorithm="HS256")


def client_headers() -> dict[str, str]:
    """What a service presents when it calls another one (`AUTH_CLIENT_TOKEN`, else a
    short-lived system token signed with the shared secret, as in development)."""
    cfg = settings()
    token = cfg.auth_client_token.get_secret_value() or issue(
        SYSTEM, "grantflow-internal", ttl_seconds=300
    )
    return {"Authorization": f"Bearer {token}"}
