"""Alerts that say why: the subject names what drives the level, in words that stay true when
the rate is ahead of the schedule, and begins with no space, read back from a real SMTP server.

The case is the 2016 demo's Bà Rịa - Vũng Tàu, local funds: 35.3% disbursed against 30.0%
expected, and critical because 3 of its 5 proposals lag (test_level_drivers.py finds it so).
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from tests.integration.test_notifications import by_recipient, example, mails, parts, subscribe

pytestmark = pytest.mark.integration

SOUTH = "Southern provinces and cities of the 2016 industrial-promotion conference"


def brvt(**changes: Any) -> dict[str, Any]:
    event = example("province_lagging")
    event["subject"] = "77:2016:local"
    event["data"].update(
        {
            "province": "77",
            "province_name": "Bà Rịa - Vũng Tàu",
            "region": "southeast",
            "source_fund": "local",
            "rate": 0.353,
            "expected_rate": 0.30,
            "regional_average": 0.2874,
            "comparison_group": "south_2016",
            "comparison_group_name": SOUTH,
            "peers": 19,
            "level": "critical",
            "proposals": 5,
            "lagging_proposals": 3,
            "lagging_share": 0.6,
            "drivers": ["lagging_share"],
            "reasons": [],
            "reasons_by_code": {"no_contract_30_days": 3},
        }
        | changes
    )
    return event


def exact_subject(msg: EmailMessage) -> str:
    """The Subject exactly as a mail client decodes it: nothing trimmed, nothing unfolded."""
    return str(msg["Subject"])


def raw_subject_line(raw: bytes) -> bytes:
    return next(line for line in raw.split(b"\r\n") if line.startswith(b"Subject:"))


def test_a_province_ahead_of_schedule_is_told_why_it_is_critical(notifications):
    h = notifications
    subscribe(h, "Nguyễn Thị Lan", "lan@example.com", provinces=["77"])
    subscribe(h, "Jane Doe", "jane@example.com", language="en", provinces=["77"])
    h.broker.announce(brvt())

    got = by_recipient(mails(h, 2))
    assert exact_subject(got["jane@example.com"]) == (
        "[Critical] Bà Rịa - Vũng Tàu: 3 of 5 proposals lagging; disbursed 35.3%, ahead of"
        " 30.0% expected (local funds 2016)"
    )
    assert exact_subject(got["lan@example.com"]) == (
        "[Nghiêm trọng] Bà Rịa - Vũng Tàu: 3/5 đề án chậm tiến độ; giải ngân 35,3%, vượt dự"
        " kiến 30,0% (KCĐP 2016)"
    )
    for m in h.smtp.messages:  # the header's first line carries the subject's first words
        assert raw_subject_line(m.content) not in (b"Subject:", b"Subject: ")
    text = parts(got["jane@example.com"])["text/plain"]
    assert "The level comes from the share of lagging proposals" in text
    assert f"average of the other provinces of its group: 28.7% ({SOUTH}, 19 other" in text
    assert "35.3% vs" not in text.splitlines()[0]
    html = parts(got["lan@example.com"])["text/html"]
    assert "Mức cảnh báo do" in html and "tỷ lệ đề án chậm tiến độ" in html


def test_a_short_ascii_subject_is_not_folded_onto_a_line_of_its_own(notifications):
    """Long enough that the email package alone would move it whole to a continuation line,
    which a reader sees with a leading space."""
    h = notifications
    subscribe(h, "Jane Doe", "jane@example.com", language="en", provinces=["77"])
    h.broker.announce(brvt(province_name="Vung Tau", drivers=["rate"], rate=0.1, level="critical"))

    (msg,) = mails(h, 1)
    expected = "[Critical] Vung Tau: disbursed 10.0% vs 30.0% expected (local funds 2016)"
    assert exact_subject(msg) == expected
    assert raw_subject_line(h.smtp.messages[0].content).startswith(b"Subject: [Critical] Vung")


# --- province_forecast_short: the same levels, grouping, silences and emails ----------------


def forecast_short(level: str = "warning", version: int = 1) -> dict[str, Any]:
    event = example("province_forecast_short")
    event["version"] = version
    event["data"]["level"] = level
    event["data"]["previous_level"] = "normal" if version == 1 else "warning"
    return event


def test_a_short_forecast_is_grouped_with_the_province_s_other_alerts(notifications):
    from tests.integration.test_notifications import lagging

    h = notifications
    subscribe(h, "Jane Doe", "jane@example.com", language="en")
    h.broker.announce(lagging())
    h.broker.announce(forecast_short())
    (msg,) = mails(h, 1)
    assert exact_subject(msg).startswith("[Warning] Long An: ")
    assert exact_subject(msg).endswith("(and 1 more)")
    text = parts(msg)["text/plain"]
    assert "Year-end forecast short of the plan" in text
    assert "By the settlement deadline 22/01/2017: 1 billion VND (69.8%), range 60.0%–82.1%" in text


def test_a_silenced_forecast_alert_is_held_and_its_recovery_resolves_it(notifications):
    import requests

    from tests.integration.test_notifications import ticks

    h = notifications
    subscribe(h, "Jane Doe", "jane@example.com", language="en", provinces="all")
    silence = requests.post(
        f"{h.base}/api/v1/silences",
        json={
            "province": "80",
            "kind": "province_forecast_short",
            "ends_at": "2099-01-31T00:00:00+07:00",
            "comment": "plan revision pending",
            "created_by": "jane",
        },
        timeout=10,
    )
    assert silence.status_code == 201, silence.text
    h.broker.announce(forecast_short())
    h.broker.announce(brvt())  # another province, not silenced
    (other,) = mails(h, 1)
    ticks(h, "flush")
    ticks(h)
    assert exact_subject(other).startswith("[Critical] Bà Rịa - Vũng Tàu")
    assert len(h.smtp.messages) == 1
    held = requests.get(f"{h.base}/api/v1/alerts", params={"silenced": "true"}, timeout=10)
    (alert,) = held.json()["items"]
    assert alert["fingerprint"] == "province_forecast_short:80:2016:national"
    assert alert["level"] == "warning"

    requests.delete(f"{h.base}/api/v1/silences/{silence.json()['id']}", timeout=10)
    _, released = mails(h, 2)
    assert exact_subject(released).startswith("[Warning] Long An: forecast 69.8% of the plan")
    h.broker.announce(forecast_short("normal", version=2))
    *_, resolved = mails(h, 3)
    assert exact_subject(resolved) == (
        "[Resolved] Long An: forecast 69.8% of the plan by 22/01/2017, no longer short of 80.0%"
        " (national funds 2016)"
    )
