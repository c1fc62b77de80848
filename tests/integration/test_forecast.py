"""The year-end forecast on read models written directly (PostgreSQL and SQLite): learnt from
two earlier years on the same day, announced as province_forecast_short when it falls short,
and shown in the province report and its CSV.

Province 80, national funds, plan 1,000 M each year. On 30 June of 2014 and 2015 it had one
contract of 600 M (300 M advanced, 300 M due on 30 November) and 400 M approved without a
contract. 2014 paid the 300 M in December and 200 M of the approved 400 M; 2015 paid the 300 M
on 10 January (after 31 December, before the settlement deadline) and none of the 400 M.
So the shares learnt are: scheduled 100% by the deadline, 50% by 31 December; approved not
contracted 25% (200 of 800). Overdue, later and headroom had nothing to learn from: their
fallback shares (60%, 30%, 10%) apply.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.integration.test_lag_evaluation import read_models  # noqa: F401 (fixture)
from tests.support import readmodels as rm

M = 1_000_000
AS_OF = date(2016, 6, 30)


def _history(engine: Engine) -> None:
    with engine.begin() as conn:
        earlier = ((2014, "2014-12-10", 200 * M), (2015, "2016-01-10", 0))
        for year, final_paid, pending_paid in earlier:
            rm.plan(conn, "80", 1_000 * M, year=year)
            c, p = f"C-{year}", f"P-{year}"
            rm.proposal(conn, c, year=year, submitted=f"{year}-01-10", approved=f"{year}-02-01",
                        signed=f"{year}-03-01", amount=600 * M)  # fmt: skip
            lines = [(f"{year}-03-11", 300 * M), (f"{year}-11-30", 300 * M)]
            rm.schedule(conn, c, "tranche", lines)
            rm.money(conn, c, "disbursed", 300 * M, f"{year}-03-15", year=year)
            rm.money(conn, c, "disbursed", 300 * M, final_paid, year=year)
            rm.proposal(conn, p, year=year, submitted=f"{year}-03-10", approved=f"{year}-05-01",
                        amount=400 * M)  # fmt: skip
            if pending_paid:
                rm.money(conn, p, "disbursed", pending_paid, f"{year}-08-10", year=year)
        # 2016: 100 M of the 300 M advance paid (200 M overdue), 300 M due by 30/11, 300 M
        # approved without a contract, 100 M of the plan not yet proposed.
        rm.plan(conn, "80", 1_000 * M)
        rm.proposal(conn, "C-2016", approved="2016-02-01", signed="2016-03-01", amount=600 * M)
        rm.schedule(conn, "C-2016", "tranche", [("2016-03-11", 300 * M), ("2016-11-30", 300 * M)])
        rm.money(conn, "C-2016", "disbursed", 100 * M, "2016-03-15")
        rm.progress(conn, "C-2016", 40, "2016-06-20")
        rm.proposal(conn, "P-2016", approved="2016-06-10", amount=300 * M)


def test_the_forecast_learns_from_earlier_years_on_the_same_day(read_models):  # noqa: F811
    from reporting.adapters.forecasting import forecasts
    from reporting.domain.lag import LagRules

    _history(read_models)
    with Session(read_models) as session:
        made = forecasts(session, LagRules(), AS_OF)[("80", "national")]
    # 100 disbursed + 200 overdue x 60% + 300 scheduled x 100% + 300 approved x 25%
    # + 100 headroom x 10% = 605 M by the deadline; 455 M by 31/12 (scheduled at 50%)
    assert made.settlement.expected_vnd == 605 * M
    assert made.year_end.expected_vnd == 455 * M
    assert (made.settlement.by, made.year_end.by) == (date(2017, 1, 22), date(2016, 12, 31))
    assert made.settlement.years == 2 and made.settlement.plan_vnd == 1_000 * M
    # two earlier provinces are too few to learn a range from: half the further payments
    assert (made.settlement.low_vnd, made.settlement.high_vnd) == (352_500_000, 857_500_000)
    assert made.level == "warning"  # 605 M < 80% of 1,000 M <= 857.5 M


def test_a_short_forecast_is_announced_once_and_follows_its_schema(read_models):  # noqa: F811
    from grantflow.contract import contract
    from reporting.adapters.tables import outbox
    from reporting.domain.lag import LagRules
    from reporting.handlers import announce

    _history(read_models)
    with Session(read_models) as session:
        first = announce.run(session, LagRules(), AS_OF)[1]
        again = announce.run(session, LagRules(), AS_OF)[1]
        bodies = [json.loads(b) for b in session.execute(select(outbox.table.c.body)).scalars()]
    assert {"type": "province_forecast_short", "subject": "80:2016:national"} in first
    assert not [a for a in again if a["type"] == "province_forecast_short"]
    (event,) = [b for b in bodies if b["type"] == "province_forecast_short"]
    parsed = contract().parse(json.dumps(event))
    assert parsed.data["level"] == "warning" and parsed.data["previous_level"] == "normal"
    assert parsed.data["settlement"]["expected_vnd"] == 605 * M
    assert parsed.data["settlement"]["rate"] == 0.605 and parsed.data["short_share"] == 0.8


def test_the_province_report_and_its_csv_show_the_forecast(read_models):  # noqa: F811
    from reporting.domain.lag import LagRules
    from reporting.views import as_csv, province_report, province_rows

    _history(read_models)
    with Session(read_models) as session:
        report = province_report(session, LagRules(), 2016, None, AS_OF)
    (row,) = report["items"]
    assert row["forecast"]["settlement"]["expected_vnd"] == 605 * M
    assert row["forecast"]["year_end"]["rate"] == 0.455
    assert row["forecast"]["level"] == "warning" and row["forecast"]["years_learnt"] == 2
    text = as_csv(province_rows(report)).decode("utf-8-sig")
    header, line = text.splitlines()[:2]
    columns = dict(zip(header.split(","), line.split(","), strict=True))
    assert columns["forecast_settlement_expected_vnd"] == str(605 * M)
    assert columns["forecast_year_end_low_vnd"] and columns["forecast_level"] == "warning"
