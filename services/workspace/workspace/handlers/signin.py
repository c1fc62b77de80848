"""Signing in and out: the development sign-in (a development token from grantflow's own
`issue`) and OpenID Connect (the provider's claims mapped to a role, then the person's token)."""

from __future__ import annotations

import secrets
from datetime import date
from urllib.parse import urlsplit

from grantflow.auth import issue
from grantflow.reference import provinces as reference
from workspace.adapters.oidc import OidcClient, Person
from workspace.adapters.session import Session
from workspace.errors import BadInput, NotFound

DEV_ROLES = ("central_officer", "finance", "auditor", "province_officer")


def safe_next(target: str | None) -> str:
    """Only a path of this site: never an open redirect."""
    if not target:
        return "/overview"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/overview"
    return target


def signed_in(person: Person, ttl_seconds: int) -> Session:
    """A fresh session (new CSRF token) holding the person's own grantflow token."""
    token = issue(person.role, person.sub, provinces=person.provinces, ttl_seconds=ttl_seconds)
    return Session(
        csrf=secrets.token_urlsafe(24),
        sub=person.sub,
        name=person.name,
        role=person.role,
        provinces=person.provinces,
        token=token,
    )


def dev_person(role: str, provinces_text: str) -> Person:
    if role not in DEV_ROLES:
        raise BadInput(f"role must be one of {', '.join(DEV_ROLES)}")
    provinces = sorted({p.strip() for p in provinces_text.split(",") if p.strip()})
    if role == "province_officer":
        unknown = [p for p in provinces if not _known(p)]
        if not provinces or unknown:
            raise BadInput("a province officer needs GSO province codes, e.g. 80 or 74,80")
    else:
        provinces = []
    suffix = "-".join(provinces)
    sub = f"dev-{role}" + (f"-{suffix}" if suffix else "")
    return Person(sub=sub, name=sub, role=role, provinces=provinces)


def _known(code: str) -> bool:
    return any(reference.province(code, on) for on in (date(2016, 1, 1), date.today()))


def oidc_start(oidc: OidcClient | None, session: Session, target: str | None) -> str:
    if oidc is None:
        raise NotFound("OpenID Connect sign-in is not configured")
    url, kept = oidc.start()
    session.oidc = kept | {"next": safe_next(target)}
    return url


def oidc_finish(
    oidc: OidcClient | None, session: Session, callback_url: str, state: str, ttl: int
) -> tuple[Session, str]:
    if oidc is None:
        raise NotFound("OpenID Connect sign-in is not configured")
    kept = session.oidc
    if not kept or not state or not secrets.compare_digest(state, kept.get("state", "")):
        raise BadInput("this sign-in was not started here or has already been used")
    person = oidc.finish(callback_url, kept)
    return signed_in(person, ttl), kept.get("next") or "/overview"
