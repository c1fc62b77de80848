"""Headless Debian chromium driven by Playwright, kept on loopback.

`BROWSER_ARGS` are the flags that keep chromium from reaching outside hosts at start (see
docs' field notes); `LoopbackGuard` aborts every request not to 127.0.0.1 and keeps it, so a
test can assert that none was made.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


class LoopbackGuard:
    """A Playwright route handler: requests to 127.0.0.1 go on, every other one is aborted
    and recorded in `refused`."""

    def __init__(self) -> None:
        self.refused: list[str] = []
        self.allowed = 0

    def __call__(self, route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if host == "127.0.0.1" or url.startswith(("data:", "about:")):
            self.allowed += 1
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright `Browser` on /usr/bin/chromium (fails, naming the set-up step, if absent)."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), (
        "/usr/bin/chromium is missing: run scripts/install-browser (Debian's chromium)"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, base: str, role: str, provinces: str = "", then: str = "/overview") -> None:
    """Through the development sign-in page, as a person does it."""
    page.goto(f"{base}/sign-in?next={then}")
    page.get_by_role("radio", name=role, exact=False).check()
    if provinces:
        page.get_by_label("GSO", exact=False).fill(provinces)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
