"""Notifications at the trust boundary (issue 12, section 3): no header can be injected through
an encoded word in Vietnamese text, sent through real SMTP on loopback (aiosmtpd); a silence
with an extreme time offset is refused with its code, not a 500.

Every Vietnamese name holds non-ASCII characters; `email.header.decode_header` gives up on
such text, and the email package itself then decodes `=?utf-8?q?=0D=0A...?=` while writing
the header, which started a new header line.
"""

from __future__ import annotations

import requests

from tests.integration.test_notifications import lagging, mails, subject, subscribe

INJECTED = "=?utf-8?q?=0D=0ABcc=3A_attacker=40evil=2Eexample?="
NESTED = "=?utf-8?q?=3D=3Futf-8=3Fq=3F=3D0D=3D0A=3F=3D?=Bcc: other@evil.example"


def test_a_vietnamese_name_with_an_encoded_newline_cannot_add_a_header(notifications):
    h = notifications
    made = subscribe(h, f"Nguyễn Thị Lan {INJECTED}", "lan@example.com")
    assert made["name"].startswith("Nguyễn Thị Lan")
    event = lagging()
    event["data"]["province_name"] = f"Long An {NESTED}"  # goes into the Subject
    h.broker.announce(event)
    (msg,) = mails(h, 1)
    raw = h.smtp.messages[0].content
    assert h.smtp.messages[0].rcpt_tos == ["lan@example.com"]
    assert msg["Bcc"] is None
    assert b"\nbcc:" not in raw.lower()
    assert [a.addr_spec for a in msg["To"].addresses] == ["lan@example.com"]
    (to,) = msg["To"].addresses
    assert to.display_name.startswith("Nguyễn Thị Lan")  # the name survives, readable
    assert "Long An" in subject(msg) and "\n" not in str(msg["Subject"])
    assert "=?" not in str(msg["Subject"]) and "=?" not in to.display_name


def test_a_silence_with_an_extreme_time_offset_is_refused_not_a_500(notifications):
    for ends_at in (
        "9999-12-31T23:59:00-23:59",  # past the calendar's end once in UTC
        "0001-01-01T00:00:00+23:59",  # before its start
        "9999-12-31T00:00:00+07:00",  # within it, but no silence lasts 8,000 years
    ):
        r = requests.post(
            f"{notifications.base}/api/v1/silences",
            json={"province": "80", "ends_at": ends_at, "comment": "Khóa sổ cuối năm"},
            timeout=10,
        )
        assert r.status_code == 422, (ends_at, r.text)
        assert r.json()["error"]["code"] == "invalid_silence"
    assert requests.get(f"{notifications.base}/api/v1/silences", timeout=10).json()["items"] == []
