"""The notifications service against the real broker, database and an SMTP server on loopback.

Events are announced on `grantflow.events` as the reporting and disbursement services would
(built like contracts/examples/*.json); emails are read back from aiosmtpd and decoded.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.conftest import NOTIFY_TEST_CONFIG, Harness, SmtpSink
from tests.support.services import free_port, in_process
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "contracts" / "examples"


# --- events as the reporting and disbursement services announce them -----------------------


def example(event_type: str) -> dict[str, Any]:
    event = json.loads((EXAMPLES / f"{event_type}.json").read_text(encoding="utf-8"))
    event["id"] = str(uuid.uuid4())
    return event


def lagging(level: str = "warning", version: int = 1, fund: str = "national") -> dict[str, Any]:
    event = example("province_lagging")
    event["subject"] = f"80:2016:{fund}"
    event["version"] = version
    event["data"].update(level=level, source_fund=fund, rate=0.0812, expected_rate=0.35)
    event["data"]["reasons"].append(
        {"proposal_id": "LA-2016-007", "reason": "progress_behind", "detail": "42% done of 70%"}
    )
    return event


def recovered(version: int = 2) -> dict[str, Any]:
    event = example("province_recovered")
    event["version"] = version
    return event


def tranche_overdue(province: str = "80") -> dict[str, Any]:
    event = example("tranche_overdue")
    event["data"]["province"] = province
    return event


# --- reading the service and the mailbox ----------------------------------------------------


def subscribe(h: Harness, name: str, email: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "email": email, "provinces": ["80"], "kinds": "all", **fields}
    r = requests.post(f"{h.base}/api/v1/recipients", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


def mails(h: Harness, count: int, timeout: float = 15) -> list[EmailMessage]:
    sink: SmtpSink = h.smtp  # type: ignore[attr-defined]
    wait_until(lambda: len(sink.messages) >= count, timeout, f"{count} emails")
    return [parse(m.content) for m in sink.messages]


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def subject(msg: EmailMessage) -> str:
    """The subject as a mail client shows it (a folded header unfolded, ends trimmed)."""
    return " ".join(str(msg["Subject"]).split())


def parts(msg: EmailMessage) -> dict[str, str]:
    return {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}


def ticks(h: Harness, timer: str = "send", count: int = 3) -> None:
    """Wait until a timer has run `count` more times: what was due then has been done."""
    name = "grantflow_entrypoint_calls_total"
    start = h.metric(name, entrypoint=timer)
    wait_until(lambda: h.metric(name, entrypoint=timer) >= start + count, 10, f"{timer} ticks")


def consumed(h: Harness, count: int) -> None:
    name = "grantflow_events_consumed_total"
    wait_until(lambda: h.metric(name, service="notifications") >= count, 15, f"{count} events")


def deliveries(h: Harness, **params: Any) -> dict[str, Any]:
    return requests.get(f"{h.base}/api/v1/deliveries", params=params, timeout=10).json()


def by_recipient(messages: list[EmailMessage]) -> dict[str, EmailMessage]:
    return {m["To"].addresses[0].addr_spec: m for m in messages}


@pytest.fixture
def launch(clean, engine, amqp_uri, database_url):
    """Start the service with a config of the test's own (once, or again after a stop)."""
    from aiosmtpd.controller import Controller

    from notifications.service import NotificationsService

    sink = SmtpSink()
    server = Controller(sink, hostname="127.0.0.1", port=free_port())
    server.start()

    @contextlib.contextmanager
    def running(**config: Any) -> Iterator[Harness]:
        config = {
            **NOTIFY_TEST_CONFIG,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": server.port,
            **config,
        }
        with in_process(NotificationsService, amqp_uri, database_url, **config) as base:
            h = Harness(base, clean, engine, "")
            h.smtp, h.smtp_server, h.config = sink, server, config  # type: ignore[attr-defined]
            yield h

    yield running
    with contextlib.suppress(AssertionError):
        server.stop()


# --- what finance staff receive -------------------------------------------------------------


def test_a_lagging_province_gives_one_email_per_subscribed_recipient(notifications):
    h = notifications
    subscribe(h, "Nguyễn Thị Lan", "lan@example.com", role="province_finance")
    subscribe(h, "Trần Văn Minh", "minh@example.com", provinces="mekong_delta")
    subscribe(h, "Jane Doe", "jane@example.com", language="en", provinces="all")
    subscribe(h, "Lê Thị Hoà", "hoa@example.com", provinces=["74"])  # Bình Dương only
    subscribe(h, "Phạm Quốc Bảo", "bao@example.com", kinds=["tranche_overdue"])
    h.broker.announce(lagging())

    got = by_recipient(mails(h, 3))
    ticks(h)
    assert len(h.smtp.messages) == 3
    assert set(got) == {"lan@example.com", "minh@example.com", "jane@example.com"}
    assert sorted(m.rcpt_tos[0] for m in h.smtp.messages) == sorted(got)

    lan = got["lan@example.com"]
    assert lan.get_content_type() == "multipart/alternative"
    text, html = parts(lan)["text/plain"], parts(lan)["text/html"]
    assert subject(lan) == "[Cảnh báo] Long An: giải ngân 8,1% so với dự kiến 35,0% (KCQG 2016)"
    assert str(lan["To"]) == "Nguyễn Thị Lan <lan@example.com>"
    for expected in (
        "Kính gửi Nguyễn Thị Lan,",
        "đến ngày 30/06/2016: 8,1%",
        "Dự kiến theo tiến độ: 35,0%; bình quân các tỉnh khác trong nhóm: 24,2%",
        "Kế hoạch vốn: 1,5 tỷ đồng (1.450.000.000 ₫)",
        "Đã giải ngân: 117,7 triệu đồng (117.740.000 ₫)",
        "LA-2016-004: Chưa ký hợp đồng sau 30 ngày",
        "LA-2016-007: Tiến độ thực hiện chậm",
        "/api/v1/reports/provinces?province=80&year=2016&source_fund=national&as_of=2016-06-30",
    ):
        assert expected in text, expected
    for expected in ("1,5 tỷ đồng", "1.450.000.000 ₫", "Chưa ký hợp đồng sau 30 ngày", "24,2%"):
        assert expected in html, expected
    assert '<html lang="vi">' in html
    jane = got["jane@example.com"]
    assert (
        subject(jane) == "[Warning] Long An: disbursed 8.1% vs 35.0% expected (national funds 2016)"
    )
    assert "Allocated: 1.5 billion VND (1,450,000,000 VND)" in parts(jane)["text/plain"]
    assert lan["Message-ID"] != jane["Message-ID"]
    assert lan["Auto-Submitted"] == "auto-generated"


def test_the_same_event_delivered_three_times_gives_one_email(notifications):
    h = notifications
    subscribe(h, "Nguyễn Thị Lan", "lan@example.com")
    event = lagging()
    for _ in range(3):
        h.broker.announce(event)
    mails(h, 1)
    consumed(h, 3)
    ticks(h, "flush")
    ticks(h)
    assert len(h.smtp.messages) == 1
    assert deliveries(h)["total"] == 1


def test_two_alerts_of_one_province_within_group_wait_make_one_email(notifications):
    h = notifications
    subscribe(h, "Nguyễn Thị Lan", "lan@example.com")
    h.broker.announce(lagging())
    h.broker.announce(tranche_overdue("80"))
    (msg,) = mails(h, 1)
    ticks(h, "flush")
    ticks(h)
    assert len(h.smtp.messages) == 1
    assert subject(msg).endswith("(và 1 cảnh báo khác)")
    text = parts(msg)["text/plain"]
    assert "Long An có 2 cảnh báo đang hiệu lực." in text
    assert "Giải ngân chậm so với kế hoạch" in text
    assert "đợt giải ngân 2 đến hạn ngày 31/10/2016" in text
    assert "còn thiếu 45.000.000 ₫" in text


def test_recovery_sends_a_resolved_notice_in_the_same_thread(notifications):
    h = notifications
    subscribe(h, "Nguyễn Thị Lan", "lan@example.com")
    h.broker.announce(lagging())
    (first,) = mails(h, 1)
    h.broker.announce(recovered())
    first, resolved = mails(h, 2)
    assert resolved["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in resolved["References"]
    assert subject(resolved).startswith(
        "[Đã khắc phục] Long An: giải ngân 61,0% so với dự kiến 60,0%"
    )
    assert "mức trước đó: Cảnh báo" in parts(resolved)["text/plain"]
    alerts = requests.get(f"{h.base}/api/v1/alerts", timeout=10).json()["items"]
    assert [(a["kind"], a["status"]) for a in alerts] == [("province_lagging", "resolved")]


def test_an_unchanged_alert_waits_for_the_repeat_interval_and_a_higher_level_goes_at_once(launch):
    with launch(GROUP_WAIT_SECONDS=1.5, REPEAT_INTERVAL_SECONDS=2.5) as h:
        subscribe(h, "Nguyễn Thị Lan", "lan@example.com")
        h.broker.announce(lagging("warning", version=1))
        (first,) = mails(h, 1)
        h.broker.announce(lagging("warning", version=2))  # the same level again: no news
        consumed(h, 2)
        ticks(h, "flush", 5)
        assert len(h.smtp.messages) == 1
        h.broker.announce(lagging("critical", version=3))
        announced = time.monotonic()
        _, escalated = mails(h, 2)
        assert time.monotonic() - announced < 1.5, "an escalation does not wait for group_wait"
        assert subject(escalated).startswith("[Nghiêm trọng] Long An")
        assert escalated["In-Reply-To"] == first["Message-ID"]
        *_, repeat = mails(h, 3)  # nothing new for 2.5 s (repeat_interval): a reminder
        assert subject(repeat).startswith("[Nghiêm trọng – nhắc lại] Long An")
        assert repeat["In-Reply-To"] == first["Message-ID"]
        assert "nhắc lại, chưa có thay đổi so với thư trước" in parts(repeat)["text/plain"]


def test_a_silence_holds_alerts_back_shows_what_it_held_and_its_end_lets_them_out(notifications):
    h = notifications
    lan = subscribe(h, "Nguyễn Thị Lan", "lan@example.com", provinces="all")
    silence = requests.post(
        f"{h.base}/api/v1/silences",
        json={
            "province": "80",
            "kind": "province_lagging",
            "ends_at": "2099-01-31T00:00:00+07:00",
            "comment": "Khóa sổ cuối năm",
            "created_by": "lan",
        },
        timeout=10,
    )
    assert silence.status_code == 201, silence.text
    sid = silence.json()["id"]
    h.broker.announce(lagging())
    h.broker.announce(tranche_overdue("74"))  # another province: not silenced
    (other,) = mails(h, 1)
    ticks(h, "flush")
    ticks(h)
    assert "Bình Dương" in subject(other) and len(h.smtp.messages) == 1

    muted = requests.get(f"{h.base}/api/v1/alerts", params={"silenced": "true"}, timeout=10)
    (alert,) = muted.json()["items"]
    assert (alert["fingerprint"], alert["silenced_by"]) == (
        "province_lagging:80:2016:national",
        sid,
    )
    assert alert["held_by_silences"] == [sid]
    detail = requests.get(f"{h.base}/api/v1/silences/{sid}", timeout=10).json()
    assert detail["state"] == "active" and detail["held_count"] == 1
    assert detail["held"][0]["recipient_email"] == "lan@example.com"
    assert detail["held"][0]["fingerprint"] == alert["fingerprint"]

    expired = requests.delete(f"{h.base}/api/v1/silences/{sid}", timeout=10).json()
    assert expired["state"] == "expired"
    _, released = mails(h, 2)
    assert subject(released).startswith("[Cảnh báo] Long An")
    assert deliveries(h, recipient_id=lan["id"])["total"] == 2


def test_smtp_451_then_success_gives_exactly_one_email(notifications):
    h = notifications
    subscribe(h, "Nguyễn Thị Lan", "lan@example.com")
    h.smtp.replies.append("451 4.3.0 Mailbox busy, try again later")
    h.broker.announce(lagging())
    (msg,) = mails(h, 1)
    ticks(h)
    assert len(h.smtp.messages) == 1
    (row,) = deliveries(h)["items"]
    assert (row["status"], row["attempts"], row["message_id"]) == ("sent", 2, msg["Message-ID"])
    assert h.metric("grantflow_emails_total", outcome="retried") == 1
    assert h.metric("grantflow_emails_total", outcome="sent") == 1


def test_smtp_550_fails_at_once_is_counted_and_not_retried(notifications):
    h = notifications
    subscribe(h, "Nguyễn Thị Lan", "lan@example.com")
    h.smtp.replies.append("550 5.1.1 Mailbox unavailable")
    h.broker.announce(lagging())
    wait_until(lambda: deliveries(h, status="failed")["total"] == 1, 15, "a failed delivery")
    ticks(h)
    (row,) = deliveries(h)["items"]
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert row["last_error"].startswith("550 5.1.1 Mailbox unavailable")
    assert h.metric("grantflow_emails_total", outcome="failed") == 1
    assert h.metric("grantflow_emails_total", outcome="retried") == 0
    assert h.smtp.messages == []


def test_smtp_down_then_up_delivers_once_after_recovery(notifications):
    from aiosmtpd.controller import Controller

    h = notifications
    subscribe(h, "Nguyễn Thị Lan", "lan@example.com")
    port = h.smtp_server.port
    h.smtp_server.stop()  # connection refused from now on
    h.broker.announce(lagging())
    wait_until(
        lambda: h.metric("grantflow_emails_total", outcome="deferred") >= 1, 15, "a deferral"
    )
    (row,) = deliveries(h, status="pending")["items"]
    assert row["attempts"] >= 5 and "Connection" in row["last_error"]
    h.smtp_server = Controller(h.smtp, hostname="127.0.0.1", port=port)
    h.smtp_server.start()
    (msg,) = mails(h, 1)
    ticks(h)
    assert len(h.smtp.messages) == 1
    (row,) = deliveries(h)["items"]
    assert (row["status"], row["message_id"]) == ("sent", msg["Message-ID"])


def test_a_restart_between_sending_and_the_redelivery_sends_nothing_more(launch):
    event = lagging()
    with launch() as h:
        subscribe(h, "Nguyễn Thị Lan", "lan@example.com")
        h.broker.announce(event)
        mails(h, 1)
    with launch() as h:  # a new process, the same database
        h.broker.announce(event)  # the broker delivers it again
        consumed(h, 1)
        assert h.metric("grantflow_events_consumed_total", outcome="duplicate") == 1
        ticks(h, "flush")
        ticks(h)
        assert len(h.smtp.messages) == 1
        assert deliveries(h)["total"] == 1


def test_two_replicas_send_each_email_once(launch):
    with launch() as h, launch() as _other:
        for n in range(6):
            subscribe(h, f"Cán bộ {n}", f"staff{n}@example.com", provinces="all")
        for fund in ("national", "local"):
            h.broker.announce(lagging(fund=fund))
        for province in ("74", "68", "80"):
            h.broker.announce(tranche_overdue(province))
        mails(h, 18)  # 3 provinces x 6 recipients
        ticks(h, "flush")
        ticks(h)
        assert len(h.smtp.messages) == 18
        assert len({parse(m.content)["Message-ID"] for m in h.smtp.messages}) == 18


def test_without_smtp_each_email_is_an_eml_file_in_mail_dir(launch, tmp_path):
    with launch(SMTP_HOST="", MAIL_DIR=str(tmp_path)) as h:
        subscribe(h, "Nguyễn Thị Lan", "lan@example.com")
        subscribe(h, "Jane Doe", "jane@example.com", language="en")
        event = lagging()
        h.broker.announce(event)
        h.broker.announce(event)
        wait_until(lambda: len(list(tmp_path.glob("*.eml"))) == 2, 15, "two .eml files")
        consumed(h, 2)
        ticks(h)
        files = sorted(tmp_path.glob("*.eml"))
        assert len(files) == 2
        messages = by_recipient([parse(f.read_bytes()) for f in files])
        assert subject(messages["lan@example.com"]).startswith("[Cảnh báo] Long An")
        assert "1.450.000.000 ₫" in parts(messages["lan@example.com"])["text/plain"]
        assert {r["status"] for r in deliveries(h)["items"]} == {"sent"}
        assert h.smtp.messages == []


def test_a_recipient_name_with_an_encoded_newline_cannot_add_a_header(notifications):
    h = notifications
    evil = "Eve =?utf-8?q?=0D=0ABcc=3A_attacker=40evil=2Eexample?=\r\nBcc: other@evil.example"
    made = subscribe(h, evil, "eve@example.com")
    assert "\r" not in made["name"] and "\n" not in made["name"]
    h.broker.announce(lagging())
    (msg,) = mails(h, 1)
    raw = h.smtp.messages[0].content
    assert h.smtp.messages[0].rcpt_tos == ["eve@example.com"]
    assert msg["Bcc"] is None
    assert b"\nBcc:" not in raw and b"\nbcc:" not in raw.lower()
    assert [a.addr_spec for a in msg["To"].addresses] == ["eve@example.com"]


def test_recipients_are_validated_and_managed_over_http(notifications):
    h = notifications
    url = f"{h.base}/api/v1/recipients"
    lan = subscribe(h, "Nguyễn Thị Lan", "Lan@Example.com")
    assert lan["email"] == "Lan@example.com" and lan["language"] == "vi"
    again = requests.post(url, json={"name": "Lan", "email": "Lan@example.com"}, timeout=10)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "recipient_exists")
    for bad in (
        {"name": "X", "email": "not-an-address"},
        {"name": "X", "email": "x@example.com", "provinces": ["99"]},
        {"name": "X", "email": "x@example.com", "kinds": ["weather"]},
        {"name": "X", "email": "x@example.com", "language": "fr"},
        {"email": "x@example.com"},
    ):
        r = requests.post(url, json=bad, timeout=10)
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_recipient"), bad
    changed = requests.put(
        f"{url}/{lan['id']}", json={**lan, "provinces": "southeast", "digest": True}, timeout=10
    )
    assert changed.status_code == 200 and changed.json()["provinces"] == ["southeast"]
    assert requests.get(url, timeout=10).json()["items"][0]["digest"] is True
    assert requests.delete(f"{url}/{lan['id']}", timeout=10).status_code == 204
    assert requests.get(f"{url}/{lan['id']}", timeout=10).status_code == 404


def test_recipients_from_the_file_are_loaded_and_belong_to_it(launch, tmp_path):
    source = Path(__file__).resolve().parents[2] / "services/notifications/recipients.example.yaml"
    path = tmp_path / "recipients.yaml"
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    with launch(RECIPIENTS_FILE=str(path)) as h:
        items = requests.get(f"{h.base}/api/v1/recipients", timeout=10).json()["items"]
        assert items and {i["origin"] for i in items} == {"file"}
        first = items[0]
        r = requests.put(f"{h.base}/api/v1/recipients/{first['id']}", json=first, timeout=10)
        assert (r.status_code, r.json()["error"]["code"]) == (409, "recipient_from_file")


def test_a_daily_digest_summarises_what_a_recipient_follows(notifications):
    h = notifications
    subscribe(h, "Nguyễn Thị Lan", "lan@example.com", digest=True)
    h.broker.announce(lagging())
    mails(h, 1)
    r = requests.post(f"{h.base}/api/v1/digests", json={"on": "2016-07-01"}, timeout=10)
    assert r.status_code == 202 and len(r.json()["queued"]) == 1
    _, digest = mails(h, 2)
    assert subject(digest).startswith("[Tóm tắt] Cảnh báo khuyến công ngày 01/07/2016")
    assert "Long An [Cảnh báo]: giải ngân 8,1% so với dự kiến 35,0%" in parts(digest)["text/plain"]
    again = requests.post(f"{h.base}/api/v1/digests", json={"on": "2016-07-01"}, timeout=10)
    assert again.json()["queued"] == []  # one digest a day


def test_the_answers_are_those_contracts_openapi_yaml_documents(notifications):
    import yaml
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    path = Path(__file__).resolve().parents[2] / "contracts" / "openapi.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    registry = Registry().with_resource(
        path.as_uri(), Resource.from_contents(document, default_specification=DRAFT202012)
    )

    def check(route: str, method: str, response: requests.Response) -> None:
        documented = document["paths"][route][method]["responses"][str(response.status_code)]
        if "content" not in documented:
            assert not response.content
            return
        ref = documented["content"]["application/json"]["schema"]["$ref"]
        schema = {"$ref": path.as_uri() + ref}
        validator = Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())
        errors = [e.message for e in validator.iter_errors(response.json())]
        assert not errors, (route, method, errors)

    h = notifications
    base = f"{h.base}/api/v1"
    created = requests.post(f"{base}/recipients", json={"name": "Lan", "email": "lan@example.com"})
    check("/api/v1/recipients", "post", created)
    rid = created.json()["id"]
    check("/api/v1/recipients", "get", requests.get(f"{base}/recipients"))
    check("/api/v1/recipients", "post", requests.post(f"{base}/recipients", json={"name": "X"}))
    check("/api/v1/recipients", "post", requests.post(f"{base}/recipients", data="[1"))
    one = "/api/v1/recipients/{recipient_id}"
    check(one, "get", requests.get(f"{base}/recipients/{rid}"))
    check(one, "get", requests.get(f"{base}/recipients/nobody"))
    check(
        one,
        "put",
        requests.put(f"{base}/recipients/{rid}", json={**created.json(), "digest": True}),
    )
    silence = requests.post(
        f"{base}/silences",
        json={"kind": "tranche_overdue", "ends_at": "2099-01-01T00:00:00+07:00", "comment": "x"},
    )
    check("/api/v1/silences", "post", silence)
    check("/api/v1/silences", "post", requests.post(f"{base}/silences", json={"comment": "x"}))
    h.broker.announce(lagging())
    h.broker.announce(tranche_overdue("80"))
    mails(h, 1)
    sid = silence.json()["id"]
    check("/api/v1/silences", "get", requests.get(f"{base}/silences"))
    check("/api/v1/silences/{silence_id}", "get", requests.get(f"{base}/silences/{sid}"))
    check("/api/v1/alerts", "get", requests.get(f"{base}/alerts"))
    check("/api/v1/alerts", "get", requests.get(f"{base}/alerts", params={"kind": "weather"}))
    check("/api/v1/deliveries", "get", requests.get(f"{base}/deliveries", params={"limit": 5}))
    check("/api/v1/deliveries", "get", requests.get(f"{base}/deliveries", params={"limit": 0}))
    check("/api/v1/digests", "post", requests.post(f"{base}/digests"))
    check("/api/v1/silences/{silence_id}", "delete", requests.delete(f"{base}/silences/{sid}"))
    check(one, "delete", requests.delete(f"{base}/recipients/{rid}"))
