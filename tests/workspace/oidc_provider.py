"""A small OpenID Connect provider on loopback, standing in for the ministry's: discovery,
authorization (code with PKCE S256, for one configured person), token and JWKS endpoints.

It is strict where a real provider is: an unknown client or redirect URI, a missing or
non-S256 challenge, a code used twice, or a verifier that does not match are refused.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

import eventlet
import jwt
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.support.services import free_port

CLIENT_ID = "grantflow-workspace"


class Provider:
    def __init__(self, redirect_uri: str, claims: dict[str, Any]) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.redirect_uri = redirect_uri
        self.claims = claims  # of the person who signs in
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict[str, str]] = {}
        self.refused: list[str] = []
        self.server = make_server("127.0.0.1", self.port, self.app)

    def start(self) -> Provider:
        self.thread = eventlet.spawn(self.server.serve_forever)
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        route = {
            "/.well-known/openid-configuration": self.discovery,
            "/authorize": self.authorize,
            "/token": self.token,
            "/jwks": self.jwks,
        }.get(request.path)
        response = route(request) if route else Response("not found", 404)
        return response(environ, start_response)

    def discovery(self, request: Request) -> Response:
        return _json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    def authorize(self, request: Request) -> Response:
        a = request.args
        problem = (
            (a.get("client_id") != CLIENT_ID and "unknown client")
            or (a.get("redirect_uri") != self.redirect_uri and "redirect_uri not registered")
            or (a.get("response_type") != "code" and "response_type must be code")
            or (a.get("code_challenge_method") != "S256" and "PKCE S256 required")
            or (not a.get("code_challenge") and "no code_challenge")
            or (not a.get("state") and "no state")
        )
        if problem:
            self.refused.append(problem)
            return Response(problem, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": a["code_challenge"], "nonce": a.get("nonce", "")}
        query = urlencode({"code": code, "state": a["state"]})
        return Response(status=302, headers={"Location": f"{self.redirect_uri}?{query}"})

    def token(self, request: Request) -> Response:
        f = request.form
        grant = self.codes.pop(f.get("code", ""), None)  # a code works once
        if grant is None:
            return self._refuse("invalid_grant", "unknown or used code")
        verifier = f.get("code_verifier") or ""
        if create_s256_code_challenge(verifier) != grant["challenge"]:
            return self._refuse("invalid_grant", "code_verifier does not match the challenge")
        if f.get("redirect_uri") != self.redirect_uri:
            return self._refuse("invalid_grant", "redirect_uri differs")
        now = int(time.time())
        id_token = jwt.encode(
            {
                "iss": self.issuer,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
                **self.claims,
            },
            self.key,
            algorithm="RS256",
            headers={"kid": "test-key"},
        )
        return _json(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )

    def jwks(self, request: Request) -> Response:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return _json({"keys": [jwk | {"kid": "test-key", "use": "sig", "alg": "RS256"}]})

    def _refuse(self, error: str, detail: str) -> Response:
        self.refused.append(detail)
        return _json({"error": error, "error_description": detail}, 400)


def _json(body: Any, status: int = 200) -> Response:
    import json

    return Response(json.dumps(body), status, content_type="application/json")
