"""The forecast's one statement (every year asked, both horizons at once) answers exactly
what its first form answered, one statement per year and horizon, on a generated history of
five years (PostgreSQL and SQLite): stages on the day, payments after the horizons, a
proposal's payments booked to another year, payments of a proposal the read models do not
hold, closed contracts with tranches, several plan versions.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tests.integration.test_lag_evaluation import read_models  # noqa: F401 (fixture)

M = 1_000_000

# The outstanding money of one year on :d with what was paid of it by :t, as the forecast first
# read it (four to twelve such statements per forecast): the reference.
BEFORE_SQL = """
WITH paid AS (
  SELECT proposal_id,
    SUM(CASE WHEN day <= :d THEN amount_vnd ELSE 0 END) AS paid_d,
    SUM(CASE WHEN day <= :t THEN amount_vnd ELSE 0 END) AS paid_t
  FROM reporting_money WHERE year = :y AND kind = 'disbursed' GROUP BY proposal_id
),
due AS (
  SELECT s.proposal_id,
    MAX(CASE WHEN s.due_day < :d THEN s.due_total_vnd ELSE 0 END) AS due_d,
    MAX(CASE WHEN s.due_day <= :t THEN s.due_total_vnd ELSE 0 END) AS due_t
  FROM reporting_schedule s
  WHERE s.kind = 'tranche'
    AND s.proposal_id IN (SELECT proposal_id FROM reporting_proposal WHERE year = :y)
  GROUP BY s.proposal_id
),
f AS (
  SELECT p.province, p.source_fund,
    CASE WHEN p.closed_day <= :d THEN 'closed'
         WHEN p.signed_day <= :d THEN 'contracted'
         WHEN p.approved_day <= :d THEN 'pending'
         ELSE 'new' END AS stage,
    COALESCE(p.contract_vnd, 0) AS contract, COALESCE(p.approved_vnd, 0) AS approved,
    COALESCE(paid.paid_d, 0) AS paid_d, COALESCE(paid.paid_t, 0) - COALESCE(paid.paid_d, 0) AS gain,
    COALESCE(due.due_d, 0) AS due_d, COALESCE(due.due_t, 0) AS due_t
  FROM reporting_proposal p
  LEFT JOIN paid ON paid.proposal_id = p.proposal_id
  LEFT JOIN due ON due.proposal_id = p.proposal_id
  WHERE p.year = :y
),
c AS (
  SELECT f.*,
    CASE WHEN due_d > paid_d THEN due_d ELSE paid_d END AS covered
  FROM f
),
b AS (
  SELECT c.*,
    CASE WHEN stage = 'contracted' AND due_d > paid_d THEN due_d - paid_d ELSE 0 END AS overdue,
    CASE WHEN stage = 'contracted' AND due_t > covered THEN due_t - covered ELSE 0 END
      AS scheduled,
    CASE WHEN stage = 'contracted' AND contract > (CASE WHEN due_t > covered THEN due_t
                                                        ELSE covered END)
         THEN contract - (CASE WHEN due_t > covered THEN due_t ELSE covered END) ELSE 0 END
      AS later,
    CASE WHEN stage = 'pending' THEN approved ELSE 0 END AS pending
  FROM c
),
g AS (
  SELECT b.*, CASE WHEN gain < overdue THEN gain ELSE overdue END AS g_overdue FROM b
),
h AS (
  SELECT g.*,
    CASE WHEN gain - g_overdue < scheduled THEN gain - g_overdue ELSE scheduled END
      AS g_scheduled
  FROM g
)
SELECT province, source_fund,
  SUM(paid_d) AS disbursed, SUM(overdue) AS overdue, SUM(scheduled) AS scheduled,
  SUM(later) AS later, SUM(pending) AS pending,
  SUM(CASE WHEN stage = 'contracted' THEN g_overdue ELSE 0 END) AS g_overdue,
  SUM(CASE WHEN stage = 'contracted' THEN g_scheduled ELSE 0 END) AS g_scheduled,
  SUM(CASE WHEN stage = 'contracted' THEN gain - g_overdue - g_scheduled ELSE 0 END) AS g_later,
  SUM(CASE WHEN stage = 'pending' THEN gain ELSE 0 END) AS g_pending,
  SUM(CASE WHEN stage IN ('new', 'closed') THEN gain ELSE 0 END) AS g_new
FROM h GROUP BY province, source_fund
"""


def _generate(engine: Engine, seed: int) -> None:
    from reporting.adapters.tables import money, plan, proposal, schedule

    rnd = random.Random(seed)
    rows: dict[str, list[dict]] = {"proposal": [], "money": [], "schedule": [], "plan": []}
    n = 0
    for year in range(2011, 2017):
        for province in ("01", "79", "80", "92"):
            for fund in ("national", "oda"):
                for version in (1, 2):
                    rows["plan"].append(
                        dict(
                            province=province,
                            year=year,
                            source_fund=fund,
                            version=version,
                            amount_vnd=rnd.randrange(500, 3_000) * M,
                            approved_day=date(year, 1, 15).toordinal() + 140 * (version - 1),
                        )
                    )
                for _ in range(rnd.randrange(2, 12)):
                    n += 1
                    pid = f"P{n:05d}"
                    start = date(year, 1, 1)
                    submitted = start + timedelta(rnd.randrange(0, 300))
                    approved = submitted + timedelta(rnd.randrange(5, 90))
                    signed = approved + timedelta(rnd.randrange(5, 90))
                    closed = signed + timedelta(rnd.randrange(-60, 200))
                    stage = rnd.random()
                    amount = rnd.randrange(10, 400) * M
                    rows["proposal"].append(
                        dict(
                            proposal_id=pid,
                            province=province,
                            year=year,
                            source_fund=fund,
                            activity="training",
                            title=pid,
                            state="x",
                            requested_vnd=amount,
                            approved_vnd=amount if stage > 0.2 else None,
                            contract_vnd=amount - M if stage > 0.35 else None,
                            submitted_day=submitted.toordinal(),
                            approved_day=approved.toordinal() if stage > 0.2 else None,
                            signed_day=signed.toordinal() if stage > 0.35 else None,
                            closed_day=closed.toordinal() if rnd.random() < 0.15 else None,
                            planned_start_day=signed.toordinal(),
                            planned_end_day=signed.toordinal() + 200,
                            targets={},
                        )
                    )
                    total = 0
                    for line in range(rnd.randrange(0, 4)):
                        total += rnd.randrange(1, 200) * M
                        due = signed + timedelta(rnd.randrange(0, 400))
                        rows["schedule"].append(
                            dict(
                                proposal_id=pid,
                                kind="tranche",
                                line_index=line,
                                due_day=due.toordinal(),
                                due_total_vnd=total,
                            )
                        )
                    rows["schedule"].append(
                        dict(
                            proposal_id=pid,
                            kind="repayment",
                            line_index=0,
                            due_day=signed.toordinal() + 30,
                            due_total_vnd=5 * M,
                        )
                    )
                    for _ in range(rnd.randrange(1, 6)):
                        paid_in = year if rnd.random() < 0.9 else year + 1  # booked elsewhere
                        of = pid if rnd.random() < 0.95 else f"GONE{n}"  # no such proposal
                        rows["money"].append(
                            dict(
                                proposal_id=of,
                                province=province,
                                year=paid_in,
                                source_fund=fund,
                                kind=rnd.choice(("disbursed", "disbursed", "disbursed", "repaid")),
                                amount_vnd=rnd.randrange(1, 150) * M,
                                day=(submitted + timedelta(rnd.randrange(0, 420))).toordinal(),
                            )
                        )
    with engine.begin() as conn:
        for name, table in (
            ("proposal", proposal),
            ("money", money),
            ("schedule", schedule),
            ("plan", plan),
        ):
            conn.execute(table.insert(), rows[name])


def _before(session: Session, year: int, on: date, by: date) -> dict:
    """{(province, fund): Outstanding} of one year and horizon, read as the forecast first did."""
    from reporting.adapters.forecast_sql import PLAN_SQL
    from reporting.domain.forecast import Outstanding

    params = {"y": year, "d": on.toordinal(), "t": by.toordinal()}
    plans = {(p, f): int(a) for p, f, a in session.execute(text(PLAN_SQL), params)}
    found = {}
    for row in session.execute(text(BEFORE_SQL), params).mappings():
        key = (row["province"], row["source_fund"])
        names = (
            "disbursed",
            "overdue",
            "scheduled",
            "later",
            "pending",
            "g_overdue",
            "g_scheduled",
            "g_later",
            "g_pending",
            "g_new",
        )
        found[key] = Outstanding(plans.get(key, 0), *(int(row[n] or 0) for n in names))
    for key, plan in plans.items():
        found.setdefault(key, Outstanding(plan, 0))
    return found


@pytest.mark.parametrize("as_of", ["2016-06-30", "2016-01-10", "2015-12-31", "2016-02-29"])
def test_one_statement_answers_as_one_per_year_and_horizon(read_models, as_of):  # noqa: F811
    from reporting.adapters.forecasting import horizons
    from reporting.adapters.outstanding import Asked, outstanding
    from reporting.domain.forecast import same_day
    from reporting.domain.lag import LagRules

    _generate(read_models, seed=17)
    day = date.fromisoformat(as_of)
    rules = LagRules()
    years = range(day.year, day.year - 1 - rules.forecast_years, -1)
    asked = [Asked(y, same_day(y, day), horizons(rules, y)) for y in years]
    with Session(read_models) as session:
        found = outstanding(session, asked)
        compared = 0
        for a in asked:
            for h, by in enumerate(a.horizons):
                before = _before(session, a.year, a.on, by)
                assert found[a.year][h] == before, (a, h)
                compared += sum(1 for o in before.values() if o.reached > o.disbursed)
    assert compared > 10  # scopes paid more after the day: the horizons are compared too


@pytest.mark.parametrize("as_of", ["2016-06-30", "2016-01-10", "2016-02-29"])
def test_the_forecast_is_the_one_learnt_from_the_statements_per_year(read_models, as_of):  # noqa: F811
    """The whole forecast, as the first form made it from one statement per year and horizon."""
    from reporting.adapters.forecasting import forecasts, horizons
    from reporting.domain.forecast import forecast, same_day
    from reporting.domain.lag import LagRules

    _generate(read_models, seed=29)
    day = date.fromisoformat(as_of)
    rules = LagRules()
    with Session(read_models) as session:
        made = forecasts(session, rules, day)
        for i, by in enumerate(horizons(rules, day.year)):
            history = []
            for earlier in range(day.year - 1, day.year - 1 - rules.forecast_years, -1):
                past = horizons(rules, earlier)[i]
                if past < day:
                    scopes = list(_before(session, earlier, same_day(earlier, day), past).values())
                    if any(s.reached for s in scopes):
                        history.append(scopes)
            for key, now in _before(session, day.year, day, by).items():
                expected = forecast(now, by, history)
                got = made[key].year_end if i == 0 else made[key].settlement
                assert got == expected, (key, i)
    assert made and any(f.settlement.years >= 3 for f in made.values())
