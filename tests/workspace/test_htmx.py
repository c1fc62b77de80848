"""htmx, installed from npm and served by the workspace itself at a path naming its version;
an htmx request gets only the page's main content, an ordinary one the whole page."""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from threading import Thread

import pytest

from tests.workspace.test_sign_in import anonymous, csrf_of

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def installed_htmx() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/htmx.org"]["version"]
    assert version.startswith("2."), version
    package = ROOT / "node_modules/htmx.org/package.json"
    assert package.exists(), "node_modules is missing: run `make install` (npm ci)"
    assert json.loads(package.read_text())["version"] == version, "run npm ci: the lock moved"
    assert "node_modules/" in (ROOT / ".gitignore").read_text().split(), "never in git"
    return version


def test_the_pages_load_htmx_from_the_workspace_at_its_versioned_path(start_workspace):
    version = installed_htmx()
    base = start_workspace()
    page = anonymous().get(f"{base}/sign-in").text
    src = re.search(r'<script src="([^"]+)" defer></script>', page).group(1)
    assert src == f"/static/vendor/htmx.org@{version}/dist/htmx.min.js"
    script = anonymous().get(base + src)
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in script.headers["Cache-Control"]
    assert script.content == (ROOT / "node_modules/htmx.org/dist/htmx.min.js").read_bytes()
    for other in ("htmx.org@1.9.0/dist/htmx.min.js", f"htmx.org@{version}/dist/htmx.js"):
        assert anonymous().get(f"{base}/static/vendor/{other}").status_code == 404


def test_an_htmx_request_gets_the_main_content_and_a_plain_one_the_whole_page(start_workspace):
    # No other service runs here: the overview answers its "service not answering" page,
    # whole to a browser, its main content only to htmx.
    base = start_workspace(WORKSPACE_REPORTING_URL="http://127.0.0.1:9")
    browser = anonymous()
    form = browser.get(f"{base}/sign-in").text
    browser.post(f"{base}/sign-in/dev", data={"role": "finance", "csrf": csrf_of(form)})
    whole = browser.get(f"{base}/overview?year=2016")
    part = browser.get(f"{base}/overview?year=2016", headers={"HX-Request": "true"})
    assert whole.status_code == part.status_code == 502
    assert whole.text.startswith("<!doctype html>") and "<nav" in whole.text
    assert "<html" not in part.text and "<nav" not in part.text
    assert "<h1>Dịch vụ chưa sẵn sàng</h1>" in part.text and "<title>" in part.text
    assert "HX-Request" in part.headers["Vary"]


class Notifications(BaseHTTPRequestHandler):
    """Stands for the notifications service: every silence expires."""

    def do_DELETE(self) -> None:
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_form_posted_by_htmx_is_told_where_to_go_and_a_plain_one_is_redirected(
    start_workspace,
):
    stub = HTTPServer(("127.0.0.1", 0), Notifications)
    Thread(target=stub.serve_forever, daemon=True).start()
    try:
        base = start_workspace(WORKSPACE_NOTIFICATIONS_URL=f"http://127.0.0.1:{stub.server_port}")
        browser = anonymous()
        form = browser.get(f"{base}/sign-in").text
        browser.post(f"{base}/sign-in/dev", data={"role": "central_officer", "csrf": csrf_of(form)})
        csrf = csrf_of(browser.get(f"{base}/sign-in").text)
        expire = f"{base}/alerts/silences/s-1/expire"
        plain = browser.post(expire, data={"csrf": csrf}, allow_redirects=False)
        assert (plain.status_code, plain.headers["Location"]) == (303, "/alerts")
        hx = browser.post(
            expire, data={"csrf": csrf}, headers={"HX-Request": "true"}, allow_redirects=False
        )
        assert hx.status_code == 200 and "Location" not in hx.headers
        assert json.loads(hx.headers["HX-Location"]) == {"path": "/alerts", "target": "#main"}
    finally:
        stub.shutdown()
