"""grantflow.auth: tokens verified against the configured keys, roles and provinces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from grantflow.auth import Principal, issue, verify
from grantflow.config import Settings
from grantflow.errors import Refused

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "grantflow_tools.cli"]
SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def cfg(**kw) -> Settings:
    return Settings(auth_jwt_secret=SECRET, **kw)


def hs(claims: dict, secret: str = SECRET) -> str:
    base = {"sub": "someone", "aud": "grantflow", "exp": int(time.time()) + 60}
    return jwt.encode({**base, **claims}, secret, algorithm="HS256")


def refusal(token: str, settings: Settings | None = None) -> str:
    with pytest.raises(Refused) as caught:
        verify(token, settings or cfg())
    assert caught.value.code == "unauthenticated"
    return caught.value.detail


def test_will_accept_a_valid_shared_secret_token_with_its_provinces():
    p = verify(hs({"role": "province_officer", "provinces": ["74", "80"]}), cfg())
    assert p == Principal("someone", "province_officer", frozenset({"74", "80"}))
    assert p.province_filter() == ["74", "80"] and not p.may_see("79")


def test_will_refuse_expired_wrong_audience_wrong_secret_and_unknown_role():
    assert "expired" in refusal(hs({"role": "auditor", "exp": int(time.time()) - 90}))
    assert "not for grantflow" in refusal(hs({"role": "auditor", "aud": "other"}))
    assert "not valid" in refusal(hs({"role": "auditor"}, secret="another-secret-" * 3))
    assert "role" in refusal(hs({"role": "king"}))
    assert "not valid" in refusal("not-a-token")


def test_will_refuse_an_unsigned_token():
    token = jwt.encode({"sub": "x", "role": "auditor", "aud": "grantflow"}, None, "none")
    assert "not accepted" in refusal(token)


def test_will_verify_rs256_against_a_pem_file_and_es256_against_a_jwks(tmp_path: Path):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "keys.pem"
    pem.write_bytes(
        rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    claims = {"sub": "a", "role": "finance", "aud": "grantflow", "exp": int(time.time()) + 60}
    token = jwt.encode(claims, rsa_key, algorithm="RS256")
    assert verify(token, cfg(auth_public_keys_file=pem)).role == "finance"

    ec_key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "k1"}]}))
    token = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "k1"})
    assert verify(token, cfg(auth_jwks_file=jwks)).sub == "a"


def test_roles_may_post_only_their_event_types():
    finance = Principal("f", "finance")
    finance.require_event_type("disbursement.made")
    with pytest.raises(Refused, match="forbidden"):
        finance.require_event_type("proposal.approved")
    system = Principal("s", "system", event_types=frozenset({"plan.approved"}))
    system.require_event_type("plan.approved")
    with pytest.raises(Refused, match="forbidden"):
        system.require_event_type("disbursement.made")
    with pytest.raises(Refused, match="forbidden"):
        Principal("a", "auditor").require_event_type("plan.approved")


def test_grantflow_token_prints_a_token_the_services_accept():
    out = subprocess.run(
        [*CLI, "token", "--role", "province_officer", "--provinces", "74,80", "--sub", "cb-74"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout.strip()
    principal = verify(out)
    assert principal.sub == "cb-74" and principal.provinces == {"74", "80"}
    assert issue("auditor", "x") != out


@pytest.mark.parametrize(
    "env, says",
    [
        ({"AUTH_JWT_SECRET": ""}, "AUTH_JWT_SECRET is the development default"),
        ({"AUTH_JWT_SECRET": "s" * 40}, "guest user"),
    ],
)
def test_will_refuse_to_start_in_production_with_development_secrets(env: dict, says: str):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "AMQP_URI"))}
    environ.update({"GRANTFLOW_ENV": "production", **{k: v for k, v in env.items() if v}})
    result = subprocess.run(
        [sys.executable, "-m", "grantflow_tools.cli", "run", "proposals"],
        capture_output=True,
        text=True,
        env=environ,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 2
    assert "refusing to start with GRANTFLOW_ENV=production" in result.stderr
    assert says in result.stderr
