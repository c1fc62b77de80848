"""What a person does in the workspace, in real headless chromium, one scenario per call.

Playwright's sync API does not run reliably under eventlet's monkey patch, which the test
suite applies to every test process; so each scenario runs here, in a plain child process
(`run` starts it), and prints what the person saw as JSON for the test to assert on:

    python -m tests.browser.driver '{"scenario": "officer", "base": "http://127.0.0.1:8005"}'

Every scenario routes every request through `LoopbackGuard` and reports the refused ones.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.browser.chromium import SCREENSHOTS, LoopbackGuard, chromium, screenshot, sign_in

ROOT = Path(__file__).resolve().parents[2]
YEAR_H1 = "year=2016&as_of=2016-06-30"


def values(page: Any, table: str, key: str) -> list[str]:
    """The `data-value`s of one column of a table on the page."""
    cells = page.locator(f'table[data-table="{table}"] td[data-key="{key}"]')
    return [c.get_attribute("data-value") for c in cells.all()]


def totals(page: Any) -> dict[str, str]:
    cards = page.locator("[data-total]").all()
    return {c.get_attribute("data-total"): c.get_attribute("data-value") for c in cards}


def officer(page: Any, base: str, args: dict[str, Any]) -> dict[str, Any]:
    sign_in(page, base, "Cán bộ tỉnh", args["provinces"])
    page.goto(f"{base}/overview?{YEAR_H1}")
    screenshot(page, "officer-overview")
    seen = {
        "table": values(page, "provinces", "province"),
        "grid": [t.inner_text().split()[0] for t in page.locator(".grid .tile").all()],
        "nav": page.locator("nav").inner_text(),
        "row": {
            key: values(page, "provinces", key)
            for key in ("level", "rate", "expected_rate", "regional_average", "lagging_proposals")
        },
        "region_cell": page.locator(
            'table[data-table="provinces"] td[data-key="region_name"]'
        ).first.inner_text(),
    }
    answer = page.goto(f"{base}/proposals/{args['other_proposal']}")
    screenshot(page, "officer-not-found")
    seen |= {"other_status": answer.status, "other_heading": page.locator("h1").inner_text()}
    answer = page.goto(f"{base}/proposals/{args['own_proposal']}")
    seen |= {"own_status": answer.status, "own_heading": page.locator("h1").inner_text()}
    return seen


def central(page: Any, base: str, args: dict[str, Any]) -> dict[str, Any]:
    sign_in(page, base, "Cán bộ trung ương")
    page.goto(f"{base}/overview?{YEAR_H1}")
    seen: dict[str, Any] = {"overview": totals(page)}
    seen["disbursed"] = dict(
        zip(
            values(page, "provinces", "province"),
            values(page, "provinces", "disbursed_vnd"),
            strict=True,
        )
    )
    with page.expect_download() as download:
        page.locator('a[href*="export=provinces"][href*="format=xlsx"]').click()
    path = SCREENSHOTS.parent / "overview-provinces.xlsx"
    download.value.save_as(str(path))
    seen["xlsx"] = str(path)
    page.get_by_role("link", name="Báo cáo vùng").click()
    page.wait_for_load_state()
    seen["region"] = totals(page)
    seen["region_url"] = page.url
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    seen["english_heading"] = page.locator("h1").inner_text()
    page.get_by_role("link", name="Tiếng Việt").click()
    page.wait_for_load_state()
    # Keyboard: the first Tab reaches the skip link, Enter moves to the main content.
    page.keyboard.press("Tab")
    seen["first_tab"] = page.evaluate("document.activeElement.textContent")
    return seen


def screens(page: Any, base: str, args: dict[str, Any]) -> dict[str, Any]:
    """Every screen at 1,280 and at 390 px wide, as PNG under var/screenshots."""
    sign_in(page, base, "Cán bộ trung ương")
    shots = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in args["screens"].items():
            answer = page.goto(base + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            shots.append(
                {
                    "name": name,
                    "width": width,
                    "status": answer.status,
                    "overflow": overflow,
                    "path": str(screenshot(page, f"{name}-{width}")),
                }
            )
    return {"shots": shots}


def silence(page: Any, base: str, args: dict[str, Any]) -> dict[str, Any]:
    sign_in(page, base, "Cán bộ trung ương", then="/alerts")
    page.goto(f"{base}/alerts")
    hx = HtmxWatch(page)
    form = page.locator("form.card")
    form.get_by_label("GSO", exact=False).fill(args["province"])
    form.get_by_label("Ghi chú").fill(args["comment"])
    form.get_by_role("button", name="Tạo").click()
    page.locator(".notice").wait_for()  # htmx posted the form and swapped the page in
    screenshot(page, "alerts-silence-created")
    return hx.seen() | {
        "notice": page.locator(".notice").inner_text(),
        "silenced": values(page, "silences", "province"),
        "url": page.url,
    }


def redrive(page: Any, base: str, args: dict[str, Any]) -> dict[str, Any]:
    sign_in(page, base, "Cán bộ trung ương", then="/operations")
    page.goto(f"{base}/operations")
    body = page.locator('table[data-table="dead_letters"] td[data-key="text"]').first.inner_text()
    hx = HtmxWatch(page)
    page.get_by_role("link", name=f"Gửi lại #{args['dead_id']}").click()
    page.get_by_role("button", name="Xác nhận").wait_for()
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot(page, "redrive-confirm-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "redrive-confirm-1280")
    question = page.locator("main").inner_text()
    confirm_url = page.url
    page.get_by_role("button", name="Xác nhận").click()
    page.locator(".notice").wait_for()
    screenshot(page, "operations-redriven")
    return hx.seen() | {
        "body": body,
        "question": question,
        "confirm_url": confirm_url,
        "url": page.url,
        "notice": page.locator(".notice").inner_text(),
    }


class HtmxWatch:
    """What htmx did on a page from now on: the requests it sent (the `HX-Request` header),
    and whether the page was ever loaded whole again (a mark left in `window` survives htmx's
    swaps, not a new page)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: list[dict[str, str]] = []
        page.evaluate("window.gfMark = 'kept'")
        page.on("request", self._seen)

    def _seen(self, request: Any) -> None:
        if request.resource_type in ("xhr", "fetch", "document"):
            headers = request.headers
            self.requests.append(
                {"method": request.method, "url": request.url, "hx": headers.get("hx-request", "")}
            )

    def seen(self) -> dict[str, Any]:
        return {
            "hx_requests": list(self.requests),  # as they stand now
            "kept_mark": self.page.evaluate("window.gfMark || null") == "kept",
            "htmx_version": self.page.evaluate("window.htmx ? htmx.version : null"),
        }


def filters(page: Any, base: str, args: dict[str, Any]) -> dict[str, Any]:
    """The overview's filters, with htmx (the table swapped in, the address bar following) and
    without any script (an ordinary form); region names in Vietnamese, then in English."""
    sign_in(page, base, "Cán bộ trung ương")
    page.goto(f"{base}/overview?{YEAR_H1}")
    seen: dict[str, Any] = {
        "before": totals(page),
        "scripts": [s.get_attribute("src") for s in page.locator("script[src]").all()],
        "region_options": page.locator('select[name="region"] option').all_inner_texts(),
    }
    hx = HtmxWatch(page)
    page.locator("form.filters select[name=fund]").select_option("national")
    page.locator("form.filters select[name=region]").select_option("southeast")
    page.get_by_role("button", name="Áp dụng").click()
    page.wait_for_url("**fund=national**")
    page.locator('table[data-table="provinces"] td[data-key="province"]').first.wait_for()
    seen |= hx.seen() | {
        "after": totals(page),
        "url": page.url,
        "provinces": values(page, "provinces", "province"),
        "region_totals": page.locator(
            'table[data-table="regions"] td[data-key="region_name"]'
        ).all_inner_texts(),
        "title": page.title(),
    }
    screenshot(page, "overview-filtered-htmx")
    page.go_back()  # htmx keeps no copies of pages (historyCacheSize 0): it loads it whole
    page.wait_for_function(
        "() => window.gfMark === undefined && document.readyState === 'complete'"
        " && document.querySelectorAll('[data-total]').length === 4"
    )
    seen["back_url"] = page.url
    seen["back"] = totals(page)
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    seen["english_options"] = page.locator('select[name="region"] option').all_inner_texts()
    return seen


def without_script(page: Any, base: str, args: dict[str, Any]) -> dict[str, Any]:
    """The same filters in a browser that runs no script: the form loads the page whole."""
    sign_in(page, base, "Cán bộ trung ương")
    page.goto(f"{base}/overview?{YEAR_H1}")
    with page.expect_navigation():
        page.locator("form.filters select[name=fund]").select_option("national")
        page.locator("form.filters select[name=region]").select_option("southeast")
        page.get_by_role("button", name="Áp dụng").click()
    return {
        "url": page.url,
        "after": totals(page),
        "provinces": values(page, "provinces", "province"),
    }


SCENARIOS: dict[str, Callable[[Any, str, dict[str, Any]], dict[str, Any]]] = {
    "officer": officer,
    "central": central,
    "screens": screens,
    "silence": silence,
    "redrive": redrive,
    "filters": filters,
    "without_script": without_script,
}


def main(raw: str) -> dict[str, Any]:
    args = json.loads(raw)
    with chromium() as browser:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
            locale="vi-VN",
            java_script_enabled=args["scenario"] != "without_script",
        )
        guard = LoopbackGuard()
        context.route("**/*", guard)
        page = context.new_page()
        seen = SCENARIOS[args["scenario"]](page, args["base"], args)
        context.close()
    return seen | {"refused": guard.refused, "allowed": guard.allowed}


def run(scenario: str, base: str, timeout: float = 180, **args: Any) -> dict[str, Any]:
    """Runs a scenario in a child process (no eventlet); what the person saw."""
    original = __import__("eventlet").patcher.original("subprocess")
    done = original.run(
        [
            sys.executable,
            "-m",
            "tests.browser.driver",
            json.dumps(args | {"scenario": scenario, "base": base}),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), ensure_ascii=False))
