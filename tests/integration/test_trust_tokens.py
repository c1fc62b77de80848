"""Bearer tokens at the trust boundary, against `grantflow run proposals` as a process.

With public keys configured, no HS256 token passes (the development secret least of all)
unless a strong secret of one's own is configured too; the issuer is checked, a little clock
skew is allowed; a key file that is missing stops the start with one clear line; a token
whose header holds CR/LF is a 401, not a 500. Production never starts with the development
secret, and never without a service-to-service token.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from grantflow.config import DEVELOPMENT_SECRET
from tests.support.services import ROOT, ServiceProcess

ISSUER = "https://sso.moit.gov.vn/realms/grantflow"
STRONG = "a-strong-secret-of-the-operators-own-0123456789abcdef"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def pem_file(rsa_key: rsa.RSAPrivateKey, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "idp.pem"
    path.write_bytes(
        rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def _claims(**over: object) -> dict[str, object]:
    now = int(time.time())
    return {
        "sub": "kt-01",
        "role": "auditor",
        "aud": "grantflow",
        "iss": ISSUER,
        "iat": now,
        "exp": now + 300,
        **over,
    }


def _status(base: str, token: str) -> int:
    r = requests.get(
        f"{base}/api/v1/proposals", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    return r.status_code


@pytest.fixture(scope="module")
def keyed(amqp_uri: str, database_url: str, pem_file: Path) -> Iterator[str]:
    """proposals with public keys, an issuer and the development secret set explicitly."""
    env = {
        "AMQP_URI": amqp_uri,
        "DATABASE_URL": database_url,
        "AUTH_PUBLIC_KEYS_FILE": str(pem_file),
        "AUTH_JWT_SECRET": DEVELOPMENT_SECRET,
        "AUTH_ISSUER": ISSUER,
        "AUTH_LEEWAY_SECONDS": "30",
    }
    service = ServiceProcess("proposals", env).start()
    try:
        yield service.base
    finally:
        service.stop()


def test_with_public_keys_a_development_secret_token_is_refused(keyed, rsa_key):
    assert _status(keyed, jwt.encode(_claims(), rsa_key, algorithm="RS256")) == 200
    assert _status(keyed, jwt.encode(_claims(), DEVELOPMENT_SECRET, algorithm="HS256")) == 401
    assert _status(keyed, jwt.encode(_claims(), "short", algorithm="HS256")) == 401


def test_the_issuer_is_checked_and_a_little_clock_skew_is_allowed(keyed, rsa_key):
    def rs(**over: object) -> str:
        return jwt.encode(_claims(**over), rsa_key, algorithm="RS256")

    assert _status(keyed, rs(iss="https://evil.example/")) == 401
    no_issuer = _claims()
    del no_issuer["iss"]
    assert _status(keyed, jwt.encode(no_issuer, rsa_key, algorithm="RS256")) == 401
    now = int(time.time())
    assert _status(keyed, rs(exp=now - 10)) == 200  # within the 30 s leeway
    assert _status(keyed, rs(iat=now + 10, nbf=now + 10)) == 200
    assert _status(keyed, rs(exp=now - 120)) == 401


def test_a_token_whose_header_holds_cr_lf_is_a_401(keyed):
    header = {"alg": "HS256\r\nX-Injected: 1", "typ": "JWT"}
    part = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    r = requests.get(
        f"{keyed}/api/v1/proposals",
        headers={"Authorization": f"Bearer {part}.eyJzdWIiOiJ4In0.c2ln"},
        timeout=10,
    )
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    assert "X-Injected" not in r.headers
    assert "\n" not in r.headers["WWW-Authenticate"]


def test_a_strong_secret_of_ones_own_is_accepted_beside_public_keys(
    amqp_uri, database_url, pem_file, rsa_key
):
    env = {
        "AMQP_URI": amqp_uri,
        "DATABASE_URL": database_url,
        "AUTH_PUBLIC_KEYS_FILE": str(pem_file),
        "AUTH_JWT_SECRET": STRONG,
    }
    service = ServiceProcess("proposals", env).start()
    try:
        claims = _claims()
        del claims["iss"]
        assert _status(service.base, jwt.encode(claims, STRONG, algorithm="HS256")) == 200
        assert _status(service.base, jwt.encode(claims, DEVELOPMENT_SECRET, "HS256")) == 401
        assert _status(service.base, jwt.encode(claims, rsa_key, algorithm="RS256")) == 200
    finally:
        service.stop()


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "AMQP_URI"))}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", "run", "proposals"],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        timeout=60,
    )


def test_a_missing_key_file_stops_the_start_with_one_clear_line(amqp_uri, database_url, tmp_path):
    missing = tmp_path / "nowhere.pem"
    result = _start(
        {"AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "AUTH_PUBLIC_KEYS_FILE": str(missing)}
    )
    assert result.returncode == 2, result.stderr
    assert "AUTH_PUBLIC_KEYS_FILE" in result.stderr and str(missing) in result.stderr
    assert "Traceback" not in result.stderr


PRODUCTION = {
    "GRANTFLOW_ENV": "production",
    "AMQP_URI": "amqp://proposals:pw@127.0.0.1:5672/",
    "AUTH_CLIENT_TOKEN": "a.service.token",
}


@pytest.mark.parametrize(
    "env, says",
    [
        (
            {"AUTH_JWT_SECRET": DEVELOPMENT_SECRET, "AUTH_PUBLIC_KEYS_FILE": "<pem>"},
            "AUTH_JWT_SECRET is the development default",
        ),
        ({"AUTH_JWT_SECRET": STRONG, "AUTH_CLIENT_TOKEN": ""}, "AUTH_CLIENT_TOKEN is empty"),
        ({"AUTH_JWT_SECRET": ""}, "no way to verify tokens"),
    ],
    ids=["development-secret-beside-keys", "no-client-token", "nothing-to-verify-with"],
)
def test_production_never_starts_with_the_development_secret_or_without_a_client_token(
    env: dict[str, str], says: str, pem_file: Path
):
    given = {**PRODUCTION, **env}
    given = {k: (str(pem_file) if v == "<pem>" else v) for k, v in given.items()}
    result = _start(given)
    assert result.returncode == 2, result.stderr
    assert "refusing to start with GRANTFLOW_ENV=production" in result.stderr
    assert says in result.stderr


def test_the_settings_repr_shows_no_secret():
    from grantflow.config import Settings
    from notifications.config import NotifySettings

    shown = repr(
        Settings(
            auth_jwt_secret=STRONG,
            auth_client_token="the.client.token",
            amqp_uri="amqp://proposals:amqp-password@rabbit:5672/",
            database_url="postgresql://grantflow:db-password@pg/grantflow",
        )
    )
    for secret in (STRONG, "the.client.token", "amqp-password", "db-password"):
        assert secret not in shown
    assert "auth_audience='grantflow'" in shown  # the rest is still there to read
    mail = repr(NotifySettings(smtp_username="lan", smtp_password="smtp-password"))
    assert "smtp-password" not in mail
