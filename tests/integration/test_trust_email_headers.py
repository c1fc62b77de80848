"""No header can be injected through an encoded word in Vietnamese text, sent through real
SMTP on loopback (aiosmtpd) (issue 12, section 3).

Every Vietnamese name holds non-ASCII characters; `email.header.decode_header` gives up on
such text, and the email package itself then decodes `=?utf-8?q?=0D=0A...?=` while writing
the header, which started a new header line.
"""

from __future__ import annotations

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
