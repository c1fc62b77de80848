"""The session: a signed, HttpOnly, SameSite=Lax cookie holding who signed in and their token.

The cookie is signed (itsdangerous), not encrypted: it holds the person's own grantflow token,
which the browser already stands for, and nothing the person may not see. Every session, also
an anonymous one, carries a random CSRF token that every form posts back.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE = "gf_session"
LANG_COOKIE = "gf_lang"
LANGS = ("vi", "en")


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    sub: str = ""
    name: str = ""
    role: str = ""
    provinces: list[str] = field(default_factory=list)
    token: str = ""  # the person's grantflow bearer token
    oidc: dict[str, str] = field(default_factory=dict)  # state, nonce, verifier, next (in flight)
    fresh: bool = False  # not yet in a cookie

    @property
    def signed_in(self) -> bool:
        return bool(self.token)

    @property
    def all_provinces(self) -> bool:
        return self.signed_in and self.role != "province_officer"


class SessionCookie:
    """Loads and stores `Session`s in the signed cookie."""

    def __init__(self, secret: str, max_age_seconds: int, secure: bool) -> None:
        self.signer = URLSafeTimedSerializer(secret, salt="grantflow-workspace-session")
        self.max_age = max_age_seconds
        self.secure = secure

    def load(self, raw: str | None) -> Session:
        if raw:
            try:
                data: dict[str, Any] = self.signer.loads(raw, max_age=self.max_age)
                data.pop("fresh", None)
                return Session(**data)
            except (BadSignature, TypeError):
                pass
        return Session(fresh=True)

    def store(self, response: Response, session: Session) -> Response:
        data = asdict(session)
        data.pop("fresh")
        response.set_cookie(
            COOKIE,
            self.signer.dumps(data),
            max_age=self.max_age,
            httponly=True,
            samesite="Lax",
            secure=self.secure,
            path="/",
        )
        return response

    def sign_out(self, response: Response) -> Response:
        return self.store(response, Session())
