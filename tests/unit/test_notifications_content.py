"""What the emails say, in Vietnamese and English, and how a delivery is retried."""

from __future__ import annotations

import html
import json
import smtplib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifications.adapters.mailer import (
    FileMailer,
    Outgoing,
    Permanent,
    RetryPolicy,
    Transient,
    classify,
    deliver,
)
from notifications.adapters.rendering import Renderer
from notifications.domain.alerts import signal_of, transition
from notifications.domain.model import Recipient, Status
from notifications.domain.planning import plan_group

EXAMPLES = Path(__file__).resolve().parents[2] / "contracts" / "examples"
NOW = datetime(2016, 6, 30, 10, 0, tzinfo=UTC)
LAN = Recipient("lan", "Nguyễn Thị Lan", "lan@example.com")
JANE = Recipient("jane", "Jane Doe", "jane@example.com", language="en")


def alert(event_type, **changes):
    event = json.loads((EXAMPLES / f"{event_type}.json").read_text(encoding="utf-8"))
    found, _ = transition(None, signal_of(event_type, {**event["data"], **changes}, 1), NOW)
    return found


def rendered(alerts, recipient=LAN):
    (email,) = plan_group("80", alerts, [recipient], [], {}, NOW, timedelta(days=1), "x.y").emails
    return Renderer("https://grantflow.example.vn").alert_email(email, NOW)


def test_a_lagging_province_reads_in_vietnamese_with_its_evidence():
    out = rendered([alert("province_lagging")])
    assert out.subject == "[Cảnh báo] Long An: giải ngân 8,1% so với dự kiến 35,0% (KCQG 2016)"
    for part in (out.text, out.html):
        for expected in ("8,1%", "35,0%", "24,2%", "1,5 tỷ đồng", "1.450.000.000 ₫",
                         "117,7 triệu đồng", "117.740.000 ₫", "30/06/2016", "LA-2016-004",
                         "Chưa ký hợp đồng sau 30 ngày", "Kính gửi Nguyễn Thị Lan"):  # fmt: skip
            assert expected in part, expected
    assert "Đề án chậm tiến độ: 3/7; mức trước đó: Bình thường" in out.text
    url = "https://grantflow.example.vn/api/v1/reports/provinces?province=80&year=2016"
    assert url + "&source_fund=national&as_of=2016-06-30" in out.text
    assert 'href="' + html.escape(url + "&source_fund=national&as_of=2016-06-30") in out.html


def test_the_same_alert_reads_in_english_for_an_english_reader():
    out = rendered([alert("province_lagging")], JANE)
    assert (
        out.subject == "[Warning] Long An: disbursed 8.1% vs 35.0% expected (national funds 2016)"
    )
    assert "Allocated: 1.5 billion VND (1,450,000,000 VND)" in out.text
    assert "No contract 30 days after approval" in out.html
    assert "Kính" not in out.text and '<html lang="en">' in out.html


FACTS = [
    (
        "tranche_overdue",
        "[Cảnh báo] Long An: đề án BD-2016-KC-001 – đợt giải ngân 2 quá hạn, thiếu 45.000.000 ₫",
        "Phải giải ngân lũy kế 150.000.000 ₫, đã giải ngân 105.000.000 ₫, còn thiếu 45.000.000 ₫",
    ),
    (
        "repayment_overdue",
        "[Cảnh báo] Long An: đề án LD-2016-KC-007 – kỳ trả nợ 2 quá hạn, nợ 100.000.000 ₫",
        "kỳ trả nợ 2 đến hạn ngày 30/06/2018 (ân hạn 30 ngày)",
    ),
    (
        "settlement_recorded",
        "[Theo dõi] Long An: đề án BD-2016-KC-001 – phải hoàn trả 1.500.000 ₫ sau quyết toán",
        "Đơn vị thực hiện phải hoàn trả 1.500.000 ₫",
    ),
    (
        "proposal_overdue",
        "[Theo dõi] Long An: đề án LA-2016-004 – chưa ký hợp đồng sau 30 ngày",
        "Chưa ký hợp đồng sau 30 ngày (approved on 02/04/2016, no contract after 89 days)",
    ),
]


@pytest.mark.parametrize(("event_type", "subject", "line"), FACTS)
def test_each_kind_of_fact_has_its_vietnamese_subject_and_evidence(event_type, subject, line):
    out = rendered([alert(event_type, province="80")])
    assert out.subject == subject
    assert line in out.text


def test_a_resolved_notice_shows_the_recovery():
    from dataclasses import replace

    firing = alert("province_lagging")
    told = plan_group("80", [firing], [LAN], [], {}, NOW, timedelta(days=1), "x.y").notices
    recovery = signal_of(
        "province_recovered",
        json.loads((EXAMPLES / "province_recovered.json").read_text())["data"],
        2,
    )
    resolving, _ = transition(firing, recovery, NOW)
    (email,) = plan_group("80", [resolving], [LAN], [], told, NOW, timedelta(days=1), "x.y").emails
    out = Renderer("http://r").alert_email(email, NOW)
    assert out.subject == "[Đã khắc phục] Long An: giải ngân 61,0% so với dự kiến 60,0% (KCQG 2016)"
    assert "tỷ lệ giải ngân đến ngày 30/09/2016 đạt 61,0%" in out.text
    assert "mức trước đó: Cảnh báo" in out.text
    assert "source_fund=national&as_of=2016-09-30" in out.text  # the report of the recovery
    assert replace(resolving, status=Status.RESOLVED).status == "resolved"


class Scripted:
    """A mailer answering from a script: an exception to raise, or None to accept."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = 0

    def send(self, out):
        answer = self.answers.pop(0)
        if answer is not None:
            raise classify(answer)
        self.sent += 1
        return "250"


OUT = Outgoing("<m@x.y>", "noreply@x.y", "lan@example.com", b"Subject: x\r\n\r\nx\r\n")
FAST = RetryPolicy(attempts=4, initial=0.001, maximum=0.002)


def test_a_4xx_and_a_refused_connection_are_retried_then_sent_once():
    busy = smtplib.SMTPDataError(451, b"4.3.0 try again later")
    mailer = Scripted(ConnectionRefusedError(111, "refused"), busy, None)
    heard = []
    said, attempts = deliver(mailer, OUT, FAST, lambda s, f: heard.append(f))
    assert (said, attempts, mailer.sent) == ("250", 3, 1)
    assert [type(f) for f in heard] == [Transient, Transient, type(None)]
    assert heard[1].code == 451


def test_a_5xx_fails_at_once_without_a_retry():
    mailer = Scripted(
        smtplib.SMTPRecipientsRefused({"lan@example.com": (550, b"5.1.1 unknown")}), None
    )
    with pytest.raises(Permanent) as failure:
        deliver(mailer, OUT, FAST, lambda s, f: None)
    assert failure.value.code == 550 and mailer.answers == [None]


def test_transient_failures_stop_after_the_attempts_allowed():
    mailer = Scripted(*[smtplib.SMTPServerDisconnected("gone")] * 4)
    with pytest.raises(Transient):
        deliver(mailer, OUT, FAST, lambda s, f: None)
    assert mailer.answers == []


def test_without_smtp_the_same_message_is_one_file(tmp_path):
    mailer = FileMailer(tmp_path / "mail")
    mailer.send(OUT)
    mailer.send(OUT)
    (written,) = (tmp_path / "mail").iterdir()
    assert written.name == "m_x.y.eml" and written.read_bytes() == OUT.data
