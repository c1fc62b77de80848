"""Signing in to the workspace: OpenID Connect (code + PKCE) against a provider on loopback,
the development sign-in, CSRF on every form, the session cookie's flags, sign-out."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.services import free_port
from tests.workspace.oidc_provider import CLIENT_ID, Provider

pytestmark = pytest.mark.integration


@pytest.fixture
def provider():
    port = free_port()
    person = {"sub": "u-1", "preferred_username": "lan.nguyen", "name": "Nguyễn Thị Lan",
              "groups": ["staff", "grantflow-province"], "provinces": ["80"]}  # fmt: skip
    idp = Provider(f"http://127.0.0.1:{port}/sign-in/oidc/callback", person).start()
    idp.workspace_port = port
    yield idp
    idp.stop()


def oidc_env(idp: Provider) -> dict[str, str]:
    return {
        "WORKSPACE_OIDC_ISSUER": idp.issuer,
        "WORKSPACE_OIDC_CLIENT_ID": CLIENT_ID,
        "WORKSPACE_DEV_SIGN_IN": "false",
    }


def anonymous() -> requests.Session:
    browser = requests.Session()
    browser.headers["Authorization"] = ""  # the suite's default token stays out
    return browser


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_oidc_with_pkce_signs_a_province_officer_in_with_the_provinces_of_their_claims(
    provider, start_workspace
):
    base = start_workspace(provider.workspace_port, **oidc_env(provider))
    browser = anonymous()
    start = browser.get(f"{base}/sign-in/oidc?next=/provinces/80", allow_redirects=False)
    assert start.status_code == 303
    authorize = start.headers["Location"]
    assert authorize.startswith(provider.issuer + "/authorize?")
    assert "code_challenge_method=S256" in authorize and "nonce=" in authorize
    back = browser.get(authorize, allow_redirects=False)  # the provider signs Lan in
    assert back.status_code == 302, provider.refused
    done = browser.get(back.headers["Location"], allow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["Location"] == "/provinces/80"
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = browser.get(f"{base}/sign-in").text
    assert "Nguyễn Thị Lan" in page and "Cán bộ tỉnh" in page and "80" in page
    assert provider.refused == []

    # The same code again (a replayed callback) signs nobody in.
    again = anonymous().get(back.headers["Location"], allow_redirects=False)
    assert again.status_code == 400


def test_a_callback_whose_state_this_browser_did_not_start_is_refused(provider, start_workspace):
    base = start_workspace(provider.workspace_port, **oidc_env(provider))
    victim, attacker = anonymous(), anonymous()
    authorize = attacker.get(f"{base}/sign-in/oidc", allow_redirects=False).headers["Location"]
    callback = attacker.get(authorize, allow_redirects=False).headers["Location"]
    victim.get(f"{base}/sign-in/oidc", allow_redirects=False)  # the victim's own sign-in
    answer = victim.get(callback, allow_redirects=False)
    assert answer.status_code == 400
    assert "Nguyễn Thị Lan" not in victim.get(f"{base}/sign-in").text


def test_an_account_without_a_grantflow_role_is_not_signed_in(provider, start_workspace):
    provider.claims = {"sub": "u-2", "groups": ["staff"]}
    base = start_workspace(provider.workspace_port, **oidc_env(provider))
    browser = anonymous()
    authorize = browser.get(f"{base}/sign-in/oidc", allow_redirects=False).headers["Location"]
    callback = browser.get(authorize, allow_redirects=False).headers["Location"]
    answer = browser.get(callback, allow_redirects=False)
    assert answer.status_code == 403
    assert browser.get(f"{base}/overview", allow_redirects=False).status_code == 303


def test_the_development_sign_in_needs_the_forms_csrf_token_and_sign_out_ends_the_session(
    start_workspace,
):
    base = start_workspace()
    browser = anonymous()
    assert browser.get(f"{base}/overview", allow_redirects=False).headers["Location"] == (
        "/sign-in?next=/overview"
    )
    form = browser.get(f"{base}/sign-in").text
    forged = browser.post(f"{base}/sign-in/dev", data={"role": "central_officer", "csrf": "x"})
    assert forged.status_code == 403
    signed = browser.post(
        f"{base}/sign-in/dev",
        data={"role": "central_officer", "csrf": csrf_of(form), "next": "/sign-in"},
    )
    assert signed.status_code == 200 and "dev-central_officer" in signed.text
    csrf = csrf_of(signed.text)  # a new session, a new token
    assert csrf != csrf_of(form)
    assert browser.post(f"{base}/sign-out", data={"csrf": csrf_of(form)}).status_code == 403
    out = browser.post(f"{base}/sign-out", data={"csrf": csrf}, allow_redirects=False)
    assert out.status_code == 303
    assert browser.get(f"{base}/overview", allow_redirects=False).status_code == 303


def test_an_unknown_page_is_an_html_404_and_the_next_address_stays_on_the_site(start_workspace):
    base = start_workspace()
    browser = anonymous()
    missing = browser.get(f"{base}/no/such/page")
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/html")
    form = browser.get(f"{base}/sign-in?next=https://evil.example/").text
    assert 'name="next" value="/overview"' in form
