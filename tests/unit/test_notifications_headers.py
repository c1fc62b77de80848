"""No header value can start a header (CVE-2024-6923); addresses are checked; ids are stable."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from notifications.adapters.addresses import checked_email
from notifications.config import sender
from notifications.domain.headers import address, clean_header, message_id
from notifications.domain.message import Rendered, compose
from notifications.domain.model import Recipient

NOW = datetime(2016, 7, 1, 1, 0, tzinfo=UTC)
INJECTIONS = [
    "Lan\r\nBcc: attacker@evil.example",
    "Lan\nBcc: attacker@evil.example",
    "Lan\rBcc: attacker@evil.example",
    "Lan =?utf-8?q?=0D=0ABcc=3A_attacker=40evil=2Eexample?=",
    "Lan =?utf-8?b?DQpCY2M6IGF0dGFja2VyQGV2aWwuZXhhbXBsZQ==?=",
    "Lan\u2028Bcc: attacker@evil.example",
    "Lan\x85Bcc: attacker@evil.example",
    "Lan\x00\x0bBcc: attacker@evil.example",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_line_breaks_and_controls_are_stripped_also_from_encoded_words(value):
    cleaned = clean_header(value)
    assert cleaned == "Lan Bcc: attacker@evil.example"
    assert all(ch.isprintable() for ch in cleaned)


@pytest.mark.parametrize("name", INJECTIONS)
def test_an_injected_bcc_in_a_display_name_stays_inside_the_to_header(name):
    raw = compose(
        Rendered("Cảnh báo\r\nBcc: x@evil.example", "nội dung", "<p>nội dung</p>"),
        sender("grantflow <noreply@example.com>"),
        Recipient("r1", name, "lan@example.com"),
        "<abc@example.com>\r\nBcc: y@evil.example",
        NOW,
        in_reply_to="<root@example.com>\nBcc: z@evil.example",
        references=("<root@example.com>",),
    )
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Bcc"] is None
    assert b"\r\nBcc:" not in raw and b"\nBcc:" not in raw
    assert [a.addr_spec for a in msg["To"].addresses] == ["lan@example.com"]
    assert msg["To"].addresses[0].display_name == "Lan Bcc: attacker@evil.example"
    assert all("\n" not in str(v) and "\r" not in str(v) for _, v in msg.items())


def test_the_message_has_a_text_and_an_html_part_in_utf8():
    raw = compose(
        Rendered("[Cảnh báo] Long An", "Kính gửi Nguyễn Thị Lan", "<p>Kính gửi</p>"),
        sender("grantflow <noreply@example.com>"),
        Recipient("r1", "Nguyễn Thị Lan", "lan@example.com"),
        "<id@example.com>",
        NOW,
    )
    msg = message_from_bytes(raw, policy=policy.default)
    assert raw.isascii()  # quoted-printable bodies, RFC 2047 headers: safe on any relay
    assert msg["Subject"] == "[Cảnh báo] Long An"
    assert str(msg["To"]) == "Nguyễn Thị Lan <lan@example.com>"
    kinds = [p.get_content_type() for p in msg.walk()]
    assert kinds == ["multipart/alternative", "text/plain", "text/html"]
    assert msg.get_body(("plain",)).get_content().strip() == "Kính gửi Nguyễn Thị Lan"
    assert msg["In-Reply-To"] is None and msg["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize(
    "bad",
    [
        "lan",
        "lan@",
        "@example.com",
        "lan@@example.com",
        "lan@example",
        "lan@example.com\r\nBcc: x@y.z",
        "Lan <lan@example.com>",
        "lan@example.com, eve@example.com",
    ],
)
def test_addresses_that_are_not_one_address_are_refused(bad):
    with pytest.raises(ValueError):
        checked_email(bad)


def test_addresses_are_normalised_and_built_as_address_objects():
    assert checked_email("Lan.Nguyen@SCT.LongAn.gov.vn") == "Lan.Nguyen@sct.longan.gov.vn"
    built = address("Nguyễn\r\nThị Lan", "lan@example.com")
    assert (built.display_name, built.addr_spec) == ("Nguyễn Thị Lan", "lan@example.com")


def test_message_ids_depend_only_on_the_delivery_key():
    key = ("3f2a", "r1", "17000")
    assert message_id(key, "example.com") == message_id(key, "example.com")
    assert message_id(key, "example.com") != message_id(("3f2a", "r1", "17001"), "example.com")
    assert message_id(key, "example.com").startswith("<") and message_id(key, "x.y").endswith(
        "@x.y>"
    )
