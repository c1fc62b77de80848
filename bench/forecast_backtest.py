"""Backtest of the year-end forecast on generated multi-year histories.

    .venv/bin/python bench/forecast_backtest.py [--first-year 2014] [--years 11]
        [--backtest-from 2017] [--seed 17] [--database-url sqlite:///...]

Generates the programme's history (bench/_forecast_history.py) for the 20 provinces of the
2016 southern conference, two funds each, writes it into the reporting service's read models
(a fresh PostgreSQL database `grantflow_bench_forecast` unless --database-url says otherwise),
then, for every year from --backtest-from, makes the forecast at the end of each month
(`reporting.adapters.forecasting.forecasts`, learning only from earlier years) and
compares it with what the year really reached: by 31 December, and by the settlement
deadline (22 January). Prints
the mean absolute error by month in percentage points of the plan, and how often the real
figure fell inside the forecast's low-high range.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from _context import describe
from _forecast_history import year_rows

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"
DB = "grantflow_bench_forecast"


def _database(url: str | None) -> str:
    if url:
        return url
    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {DB}"))
    admin.dispose()
    return f"{PG}/{DB}"


def load(url: str, first: int, years: int, seed: int) -> None:
    from grantflow.db import make_engine
    from grantflow.reference import region_members
    from reporting.adapters import tables

    engine = make_engine(url)
    tables.metadata.drop_all(engine)
    tables.metadata.create_all(engine)
    provinces = region_members("south_2016", date(2016, 7, 28))
    rng = random.Random(seed)
    with engine.begin() as conn:
        for year in range(first, first + years):
            rows = year_rows(year, provinces, rng)
            for name in ("plan", "proposal", "schedule", "money"):
                conn.execute(getattr(tables, name).insert(), rows[name])
    engine.dispose()


def month_ends(year: int) -> list[date]:
    return [date(year + (m == 12), m % 12 + 1, 1) - timedelta(days=1) for m in range(1, 13)]


def backtest(url: str, first_test: int, last_test: int) -> dict[str, dict[int, list]]:
    from grantflow.db import make_engine
    from reporting.adapters.forecasting import forecasts, horizons
    from reporting.adapters.outstanding import outstanding
    from reporting.domain.lag import LagRules

    rules = LagRules()
    engine = make_engine(url)
    # errors[horizon][month] = [(abs error in points of plan, inside the range)]
    errors: dict[str, dict[int, list]] = {h: defaultdict(list) for h in ("year_end", "settlement")}
    profile: dict[str, list[float]] = defaultdict(list)
    with Session(engine) as session:
        for year in range(first_test, last_test + 1):
            year_end, settlement = horizons(rules, year)
            reached = {
                "year_end": outstanding(session, year, year_end, year_end),
                "settlement": outstanding(session, year, settlement, settlement),
            }
            mid = outstanding(session, year, date(year, 6, 30), date(year, 6, 30))
            end_jan = outstanding(session, year, date(year + 1, 1, 31), date(year + 1, 1, 31))
            plan = sum(o.plan for o in mid.values())
            profile["30/06"].append(sum(o.disbursed for o in mid.values()) / plan)
            profile["31/12"].append(sum(o.disbursed for o in reached["year_end"].values()) / plan)
            profile["22/01"].append(sum(o.disbursed for o in reached["settlement"].values()) / plan)
            profile["31/01"].append(sum(o.disbursed for o in end_jan.values()) / plan)
            for month, day in enumerate(month_ends(year), 1):
                for key, f in forecasts(session, rules, day).items():
                    for horizon, made in (("year_end", f.year_end), ("settlement", f.settlement)):
                        actual = reached[horizon][key].disbursed
                        if not made.plan_vnd:
                            continue
                        error = abs(made.expected_vnd - actual) * 100 / made.plan_vnd
                        inside = made.low_vnd <= actual <= made.high_vnd
                        errors[horizon][month].append((error, inside))
    engine.dispose()
    print("\nThe generated years (share of the plan disbursed, mean over the tested years):")
    for label, shares in profile.items():
        print(f"  by {label}: {statistics.mean(shares):6.1%}  (years: "
              + ", ".join(f"{s:.0%}" for s in shares) + ")")  # fmt: skip
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--first-year", type=int, default=2014)
    parser.add_argument("--years", type=int, default=11)
    parser.add_argument("--backtest-from", type=int, default=2017)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    last = args.first_year + args.years - 2  # the last year still has its next January
    print(describe(first_year=args.first_year, years=args.years, backtest_from=args.backtest_from,
                   seed=args.seed))  # fmt: skip
    url = _database(args.database_url)
    started = time.perf_counter()
    load(url, args.first_year, args.years, args.seed)
    print(f"loaded {args.years} years in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    errors = backtest(url, args.backtest_from, last)
    print(f"backtest of {args.backtest_from}-{last} in {time.perf_counter() - started:.1f} s")
    print("\nMean absolute error of the forecast made at each month end, in points of the plan")
    print("(and the share of provinces and funds whose real figure fell inside the range):")
    print(f"{'made on':>9} | {'by 31/12':>8} {'in range':>8} | {'by 22/01':>8} {'in range':>8} | n")
    for month in range(1, 13):
        row = [f"{'end ' + date(2000, month, 1).strftime('%b'):>9}"]
        for horizon in ("year_end", "settlement"):
            points = errors[horizon][month]
            mae = statistics.mean(e for e, _ in points)
            inside = sum(1 for _, i in points if i) / len(points)
            row.append(f"{mae:7.1f}  {inside:7.0%} ")
        print(" | ".join(row) + f" | {len(errors['settlement'][month])}")


if __name__ == "__main__":
    main()
