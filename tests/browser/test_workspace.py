"""The workspace in real headless chromium, against every service running as a process with
the 2016 southern-region scenario. Each scenario's browser session runs in
`tests.browser.driver`; every one of them asserts that no request left 127.0.0.1."""

from __future__ import annotations

from collections import Counter
from email import message_from_bytes, policy

import pytest
import requests
from openpyxl import load_workbook

from grantflow_tools import samples
from tests.browser.driver import run
from tests.support.broker import Broker
from tests.support.waiting import wait_until

# The module's stack replays the 2016 scenario through every service first: minutes on a
# busy 2-core machine, counted in its first test's time.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(1800)]


def on_loopback_only(seen: dict) -> None:
    assert seen["refused"] == [], seen["refused"]
    assert seen["allowed"] > 0


def test_a_province_officer_sees_only_their_province_and_a_404_page_for_another(
    stack, central_token
):
    seen = run(
        "officer",
        stack.workspace,
        provinces="80",
        other_proposal="KC74-2016-001",
        own_proposal="KC80-2016-003",
    )
    assert seen["table"] == ["80"]
    assert seen["grid"] == ["80"]
    # Their province's level, rates, regional average and lagging proposals, as reporting
    # has them for the central office (the regional average over the whole Mekong Delta).
    report = stack.api(
        "reporting", "/api/v1/reports/provinces", central_token, year=2016, as_of="2016-06-30"
    )
    row = next(r for r in report["items"] if r["province"] == "80")
    shown = {key: v[0] for key, v in seen["row"].items()}
    assert shown["level"] == row["level"] and row["level"] in (
        "normal",
        "watch",
        "warning",
        "critical",
    )
    assert float(shown["rate"]) == row["rate"]
    assert float(shown["expected_rate"]) == row["expected_rate"]
    assert float(shown["regional_average"]) == row["regional_average"]
    mekong = [r for r in report["items"] if r["region"] == "mekong_delta"]
    assert len(mekong) > 1 and row["regional_average"] == round(
        sum(r["disbursed_vnd"] for r in mekong) / sum(r["allocated_vnd"] for r in mekong), 4
    )
    assert int(shown["lagging_proposals"]) == row["lagging_proposals"]
    assert seen["region_cell"] == "Đồng bằng sông Cửu Long"
    assert "Vận hành" not in seen["nav"]
    assert seen["other_status"] == 404
    assert "404" in seen["other_heading"]
    assert seen["own_status"] == 200
    assert "KC80-2016-003" in seen["own_heading"]
    on_loopback_only(seen)


def test_the_central_office_overview_for_2016_equals_the_regional_report_and_its_xlsx(
    stack, central_token
):
    seen = run("central", stack.workspace)
    region = stack.api(
        "reporting", "/api/v1/reports/regions/south_2016", central_token, period="2016-H1"
    )["disbursement"]
    overview = seen["overview"]
    assert int(overview["allocated_vnd"]) == region["allocated_vnd"] == 65_540_000_000
    assert int(overview["disbursed_vnd"]) == region["disbursed_vnd"] == 21_724_600_000
    assert int(seen["region"]["allocated_vnd"]) == region["allocated_vnd"]
    assert int(seen["region"]["disbursed_vnd"]) == region["disbursed_vnd"]
    assert round(float(overview["rate"]), 4) == region["rate"]
    assert len(seen["disbursed"]) == 20

    book = load_workbook(seen["xlsx"])
    rows = list(book.active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "Mã tỉnh" and "Đã giải ngân (đồng)" in header
    column = header.index("Đã giải ngân (đồng)")
    from_file = {row[0]: row[column] for row in body}
    assert all(isinstance(v, int) for v in from_file.values())
    assert from_file == {code: int(v) for code, v in seen["disbursed"].items()}

    assert seen["english_heading"].startswith("Regional report")
    assert seen["first_tab"] == "Bỏ qua, đến nội dung chính"
    on_loopback_only(seen)


def test_every_screen_renders_at_1280_and_390_pixels_as_png(stack):
    screens = {
        "overview": "/overview?year=2016&as_of=2016-06-30",
        "province": "/provinces/80?year=2016&as_of=2016-06-30",
        "proposal": "/proposals/KC80-2016-003",
        "region": "/reports/regions?region=south_2016&period=2016-H1",
        "alerts": "/alerts",
        "operations": "/operations",
        "not-found": "/provinces/99",
        "sign-in": "/sign-in",
    }
    seen = run("screens", stack.workspace, screens=screens)
    statuses = {(s["name"], s["width"]): s["status"] for s in seen["shots"]}
    assert statuses[("not-found", 390)] == 404
    assert {k: v for k, v in statuses.items() if k[0] != "not-found"} == {
        (name, w): 200 for name in screens if name != "not-found" for w in (1280, 390)
    }
    for shot in seen["shots"]:
        assert shot["overflow"] <= 0, shot  # nothing wider than the window: tables scroll
        with open(shot["path"], "rb") as png:
            assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    on_loopback_only(seen)


def test_the_filters_swap_the_overview_in_with_htmx_and_work_without_script(stack):
    seen = run("filters", stack.workspace)
    assert seen["scripts"] == [f"/static/vendor/htmx.org@{seen['htmx_version']}/dist/htmx.min.js"]
    assert "Đông Nam Bộ" in seen["region_options"] and "Southeast" in seen["english_options"]
    # One GET went as htmx, no page was loaded whole, and the address bar followed.
    assert [(r["method"], r["hx"]) for r in seen["hx_requests"]] == [("GET", "true")]
    assert seen["kept_mark"]
    assert "fund=national" in seen["url"] and "region=southeast" in seen["url"]
    assert seen["hx_requests"][0]["url"] == seen["url"]
    southeast = ["70", "72", "74", "75", "77", "79"]
    assert seen["provinces"] == southeast
    assert seen["region_totals"] == ["Đông Nam Bộ"]
    assert int(seen["after"]["allocated_vnd"]) < int(seen["before"]["allocated_vnd"])
    assert seen["title"].startswith("Tổng quan")
    assert seen["back"] == seen["before"]  # back in history: the unfiltered overview again
    assert "fund=" not in seen["back_url"]
    on_loopback_only(seen)

    plain = run("without_script", stack.workspace)
    assert plain["url"] == seen["url"]
    assert plain["after"] == seen["after"] and plain["provinces"] == southeast
    on_loopback_only(plain)


def test_a_dead_letter_redriven_from_the_page_is_applied(stack, central_token):
    broker = Broker(stack.env["AMQP_URI"])  # a connection of its own: the fixture's idles
    pid = "WS-REDRIVE-1"
    broker.publish(samples.appraised(pid))  # before its proposal exists: dead-lettered

    def dead():
        items = stack.api("reporting", "/api/v1/dead-letters", central_token)["items"]
        return next((d for d in items if pid in d["body"]), None)

    letter = wait_until(dead, 60, "the early appraisal to be dead-lettered")
    broker.publish(samples.submitted(pid))
    broker.close()
    state = lambda: stack.api("proposals", f"/api/v1/proposals/{pid}", central_token)["state"]  # noqa: E731
    wait_until(lambda: _answers(state) == "submitted", 30, "the proposal to be submitted")

    seen = run("redrive", stack.workspace, dead_id=letter["id"])
    assert pid in seen["body"]
    assert "grantflow.lifecycle" in seen["question"]
    assert f"#{letter['id']}" in seen["notice"]
    assert seen["confirm_url"].endswith(f"/operations/dead-letters/{letter['id']}/redrive")
    assert seen["url"].endswith(f"/operations?redriven={letter['id']}")
    assert seen["kept_mark"]  # the confirmation and the re-drive swapped in by htmx
    assert {(r["method"], r["hx"]) for r in seen["hx_requests"]} == {
        ("GET", "true"),
        ("POST", "true"),
    }
    wait_until(lambda: _answers(state) == "in_appraisal", 30, "the re-driven appraisal")
    on_loopback_only(seen)


def test_a_silence_created_in_the_page_stops_the_next_email_for_that_province(stack, central_token):
    base = stack.base("notifications")
    before = _settled_emails(base, central_token)  # the 30/06 evaluation's, all sent
    seen = run("silence", stack.workspace, province="74", comment="Đã làm việc với Sở Công Thương")
    assert seen["silenced"] == ["74"]
    assert "/alerts?saved=" in seen["url"]  # htmx was told where to go, and the bar followed
    posted = [r for r in seen["hx_requests"] if r["method"] == "POST"]
    assert [r["hx"] for r in posted] == ["true"]
    assert seen["kept_mark"] and seen["htmx_version"].startswith("2.")
    on_loopback_only(seen)

    mark = len(stack.smtp.messages)
    # Q3: every southern province falls behind the expected 60%, Bình Dương (74) included.
    answer = requests.post(
        stack.base("reporting") + "/api/v1/lag-evaluations",
        json={"as_of": "2016-09-30"},
        headers={"Authorization": f"Bearer {central_token}"},
        timeout=120,
    )
    assert {p["level"] for p in answer.json()["provinces"] if p["province"] == "74"} == {"critical"}

    def others_emailed():
        now = _emails_by_group(base, central_token)
        return now if now.get("75", 0) > before.get("75", 0) else None

    after = wait_until(others_emailed, 60, "the next emails for the other provinces")
    silences = stack.api("notifications", "/api/v1/silences", central_token)["items"]
    held = wait_until(
        lambda: sum(s["held_count"] for s in silences_of(stack, central_token, "74")) or None,
        30,
        "the silence to hold Bình Dương's alert back",
    )
    assert held >= 1 and len(silences) == 1
    assert after.get("74", 0) == before.get("74", 0)
    # Emails of the 30/06 evaluation may still be on their way; those of 30/09 say 60,0%.
    wait_until(lambda: _q3(stack, mark), 60, "the emails of the 30/09 evaluation")
    q3 = _q3(stack, mark)
    assert not [s for s in q3 if "Bình Dương" in s], q3


def silences_of(stack, token, province):
    items = stack.api("notifications", "/api/v1/silences", token)["items"]
    return [s for s in items if s["province"] == province]


def _q3(stack, mark) -> list[str]:
    subjects = [_subject(m) for m in stack.smtp.messages[mark:]]
    return [s for s in subjects if "60,0%" in s or "60.0%" in s]


def _subject(envelope) -> str:
    return str(message_from_bytes(envelope.content, policy=policy.default)["subject"])


def _settled_emails(base, token):
    seen: list[Counter] = []

    def settled():
        body = requests.get(
            f"{base}/api/v1/deliveries",
            params={"limit": 1000},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        if not body["items"] or any(d["status"] != "sent" for d in body["items"]):
            return None
        seen.append(Counter(str(d["group"]) for d in body["items"]))
        return seen[-1] if len(seen) > 1 and seen[-1] == seen[-2] else None

    return wait_until(settled, 120, "the 30/06 evaluation's emails to be sent and stay so")


def _emails_by_group(base, token):
    body = requests.get(
        f"{base}/api/v1/deliveries",
        params={"limit": 1000},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    return Counter(str(d["group"]) for d in body["items"])


def _answers(fn):
    try:
        return fn()
    except requests.HTTPError:
        return None
