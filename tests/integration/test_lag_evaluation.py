"""The lag evaluation's SQL on read models written directly, on PostgreSQL and on SQLite.

Every reason fires on the first day its rule names and not the day before; an evaluation's
announcements are bounded however many proposals lag, and announced once, also when two
replicas evaluate the same day at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from tests.support import readmodels as rm


@pytest.fixture(params=["postgresql", "sqlite"])
def read_models(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Engine]:
    """Reporting's tables, empty: the session's PostgreSQL database, or a SQLite file."""
    if request.param == "postgresql":
        request.getfixturevalue("clean")
        yield request.getfixturevalue("engine")
        return
    from reporting.adapters.tables import metadata

    engine = create_engine(f"sqlite:///{tmp_path / 'reporting.db'}")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def reasons_on(engine: Engine, as_of: str) -> dict[str, dict[str, str]]:
    """{proposal id: {reason: detail}} of an evaluation as of a day."""
    from reporting.adapters.evaluation import evaluate, first_reasons
    from reporting.domain.lag import LagRules

    day = date.fromisoformat(as_of)
    found: dict[str, dict[str, str]] = {}
    with Session(engine) as session:
        result = evaluate(session, LagRules(), day, keep=True)
        scopes = set(result.reason_counts)
        for scope, reasons in first_reasons(session, LagRules(), day, 500).items():
            assert scope in scopes
            for r in reasons:
                found.setdefault(r["proposal_id"], {})[r["reason"]] = r["detail"]
        session.rollback()
    return found


def before(iso: str) -> str:
    return (date.fromisoformat(iso) - timedelta(days=1)).isoformat()


def _no_contract(conn: Any) -> None:
    rm.proposal(conn, "P", approved="2016-05-01")


def _report_missing(conn: Any) -> None:
    rm.proposal(conn, "P", approved="2016-01-20", signed="2016-02-01")
    rm.progress(conn, "P", 60, "2016-04-20")


def _behind(conn: Any) -> None:
    # 334 days planned; 10% done: behind by more than 20 points once 101 days have gone.
    rm.proposal(conn, "P", approved="2016-01-20", signed="2016-02-01")
    rm.progress(conn, "P", 10, "2016-02-15")


def _not_accepted(conn: Any) -> None:
    rm.proposal(conn, "P", approved="2016-01-20", signed="2016-02-01", end="2016-06-30")


def _tranche(conn: Any) -> None:
    rm.proposal(conn, "P", approved="2016-01-20", signed="2016-02-01")
    rm.schedule(conn, "P", "tranche", [("2016-04-30", 100_000_000)])
    rm.money(conn, "P", "disbursed", 50_000_000, "2016-03-01")


def _repayment(conn: Any) -> None:
    # Recoverable support of 2014, settled that year, repaid over the following years.
    rm.proposal(
        conn,
        "P",
        year=2014,
        submitted="2014-01-10",
        approved="2014-02-01",
        signed="2014-03-01",
        accepted="2014-11-01",
        settled="2014-12-20",
        start="2014-03-01",
        end="2014-10-31",
    )
    rm.schedule(conn, "P", "repayment", [("2015-03-31", 50_000_000), ("2016-03-31", 50_000_000)])
    rm.money(conn, "P", "repaid", 50_000_000, "2015-03-20", year=2014)


def _settlement(conn: Any) -> None:
    rm.proposal(conn, "P", approved="2016-01-20", signed="2016-02-01", accepted="2016-06-01")


def _year_end(conn: Any) -> None:
    rm.proposal(
        conn,
        "P",
        year=2015,
        submitted="2015-01-10",
        approved="2015-02-01",
        signed="2015-03-01",
        accepted="2015-12-01",
        start="2015-03-01",
        end="2015-11-30",
    )


REASONS = [
    ("no_contract_30_days", _no_contract, "2016-05-31", "approved 30 days before 31/05/2016"),
    ("progress_report_missing", _report_missing, "2016-05-26", "no progress report for 05/2016"),
    ("progress_behind", _behind, "2016-05-12", "10% complete"),
    ("not_accepted_by_end", _not_accepted, "2016-07-01", "not accepted 1 day after"),
    ("tranche_overdue", _tranche, "2016-05-01", "tranche overdue"),
    ("repayment_overdue", _repayment, "2016-05-01", "repayment overdue"),
    ("settlement_late", _settlement, "2016-06-16", "accepted 15 days ago"),
    ("year_end_unsettled", _year_end, "2016-01-23", "contract of 2015 not settled by 22/01/2016"),
]


@pytest.mark.parametrize(
    ("reason", "seed", "first_day", "detail"), REASONS, ids=[r[0] for r in REASONS]
)
def test_each_reason_fires_on_the_first_day_its_rule_names(
    read_models, reason, seed, first_day, detail
):
    with read_models.begin() as conn:
        seed(conn)
    assert reason not in reasons_on(read_models, before(first_day)).get("P", {})
    found = reasons_on(read_models, first_day)["P"]
    assert detail in found[reason]


def test_a_repayment_made_in_time_or_a_cancelled_contract_lags_for_no_reason(read_models):
    with read_models.begin() as conn:
        _repayment(conn)
        rm.money(conn, "P", "repaid", 50_000_000, "2016-04-15", year=2014)
        rm.proposal(conn, "C", approved="2016-01-20", closed="2016-04-01")
        rm.proposal(
            conn,
            "S",
            approved="2016-01-20",
            signed="2016-02-01",
            accepted="2016-05-01",
            settled="2016-05-10",
        )
    assert reasons_on(read_models, "2016-12-31") == {}


def _many_lagging(engine: Engine, count: int) -> None:
    """`count` proposals of Long An approved in April, none signed: all lag by 30 June."""
    with engine.begin() as conn:
        rm.plan(conn, "80", 1_000_000_000)
        for n in range(count):
            rm.proposal(conn, f"LA-{n:03d}", approved="2016-04-01")


def outbox_events(engine: Engine) -> list[dict[str, Any]]:
    from reporting.adapters.tables import outbox

    with engine.connect() as conn:
        return [json.loads(b) for b in conn.execute(select(outbox.table.c.body)).scalars()]


def test_an_evaluation_answers_and_announces_in_bounded_pieces(read_models, monkeypatch):
    """A province's evidence carries its first EVIDENCE reasons, the answer its first few,
    and the overdue announcements are built PAGE at a time, versions counted per proposal."""
    from reporting.adapters import overdue
    from reporting.domain.lag import LagRules
    from reporting.handlers import announce

    monkeypatch.setattr(announce, "EVIDENCE", 4)
    monkeypatch.setattr(overdue, "PAGE", 3)
    _many_lagging(read_models, 10)
    rules = LagRules()
    with Session(read_models) as session:
        result, announced = announce.run(session, rules, date(2016, 6, 30), reasons_per_province=2)
    (f,) = result.figures
    assert (f.level, f.lagging_proposals, f.reason_counts) == (
        "critical",
        10,
        {"no_contract_30_days": 10},
    )
    assert [r["proposal_id"] for r in f.reasons] == ["LA-000", "LA-001"]
    events = outbox_events(read_models)
    assert [{"type": e["type"], "subject": e["subject"]} for e in events] == announced
    (lagging,) = [e for e in events if e["type"] == "province_lagging"]
    assert lagging["data"]["lagging_proposals"] == 10
    assert [r["proposal_id"] for r in lagging["data"]["reasons"]] == [
        f"LA-{n:03d}" for n in range(4)
    ]
    overdue = [e for e in events if e["type"] == "proposal_overdue"]
    assert sorted(e["subject"] for e in overdue) == [f"LA-{n:03d}" for n in range(10)]
    assert {e["version"] for e in overdue} == {1}

    # Later the same proposals are also behind their schedule: a second notice each, version 2.
    with read_models.begin() as conn:
        from reporting.adapters.tables import proposal

        conn.execute(proposal.update().values(signed_day=rm.day("2016-07-01")))
    with Session(read_models) as session:
        _, again = announce.run(session, rules, date(2016, 10, 1))
    second = [
        e for e in outbox_events(read_models)[len(events) :] if e["type"] == "proposal_overdue"
    ]
    assert len(second) == sum(1 for a in again if a["type"] == "proposal_overdue") >= 10
    # Two new reasons each, announced in the order of their codes: versions 2 and 3.
    versions = {(e["data"]["reason"], e["version"]) for e in second}
    assert versions == {("progress_behind", 2), ("progress_report_missing", 3)}
    assert len({e["subject"] for e in second}) == 10


def test_two_replicas_evaluating_the_same_day_at_once_announce_each_thing_once(
    clean, engine, amqp_uri, database_url
):
    import eventlet

    from reporting.service import ReportingService
    from tests.support.services import in_process

    _many_lagging(engine, 150)
    with (
        in_process(ReportingService, amqp_uri, database_url) as first,
        in_process(ReportingService, amqp_uri, database_url) as second,
    ):
        calls = [
            eventlet.spawn(
                requests.post,
                f"{base}/api/v1/lag-evaluations",
                json={"as_of": "2016-06-30"},
                timeout=60,
            )
            for base in (first, second, first, second)
        ]
        answers = [c.wait() for c in calls]
    assert [a.status_code for a in answers] == [200] * 4
    announced = [(x["type"], x["subject"]) for a in answers for x in a.json()["announced"]]
    assert len(announced) == len(set(announced)) == 151  # one province, 150 proposals
    stored = [(e["type"], e["subject"]) for e in outbox_events(engine)]
    assert sorted(stored) == sorted(announced)
    with engine.connect() as conn:
        notices = conn.execute(text("SELECT COUNT(*) FROM reporting_overdue_notice")).scalar()
    assert notices == 150


def test_the_timer_evaluates_today_and_the_metrics_show_it(clean, engine, amqp_uri, database_url):
    """`grantflow run reporting` with REPORTING_LAG_INTERVAL_SECONDS evaluates today by itself;
    each announced evaluation sets the business metrics of its year."""
    from prometheus_client.parser import text_string_to_metric_families

    from tests.support.services import ServiceProcess
    from tests.support.waiting import wait_until

    year = date.today().year
    with engine.begin() as conn:
        rm.plan(conn, "01", 1_234_000_000, year=year, approved=f"{year}-01-01")
    env = {
        "DATABASE_URL": database_url,
        "AMQP_URI": amqp_uri,
        "REPORTING_LAG_INTERVAL_SECONDS": "0.5",
    }
    service = ServiceProcess("reporting", env).start()

    def allocated() -> float | None:
        text_ = requests.get(f"{service.base}/metrics", timeout=5).text
        for family in text_string_to_metric_families(text_):
            for sample in family.samples:
                if sample.name == "grantflow_plan_allocated_vnd" and sample.labels == {
                    "province": "01",
                    "source_fund": "national",
                    "year": str(year),
                }:
                    return sample.value
        return None

    try:
        assert wait_until(allocated, 20, "the timer's evaluation in the metrics") == 1_234_000_000
    finally:
        service.stop()
