"""The filters every screen takes from its query string: year, fund, as-of date, region."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

FUNDS = ("national", "local")
DEFAULT_YEAR = 2016  # the programme's first acceptance table; a page can always pick another


@dataclass(frozen=True)
class Filters:
    year: int
    fund: str | None
    as_of: date
    region: str | None

    @property
    def query(self) -> dict[str, str]:
        """The services' query parameters for these filters."""
        q = {"year": str(self.year), "as_of": self.as_of.isoformat()}
        if self.fund:
            q["source_fund"] = self.fund
        return q

    def link(self, **extra: str) -> str:
        q = {"year": str(self.year), "as_of": self.as_of.isoformat()}
        if self.fund:
            q["fund"] = self.fund
        if self.region:
            q["region"] = self.region
        return urlencode(q | extra)


class FilterError(ValueError):
    """A filter value that cannot be read; the message names it."""


def read_filters(args: dict[str, str], today: date) -> Filters:
    """`{"year": "2016", "fund": "national", "as_of": "2016-06-30", "region": "southeast"}`.

    A missing as-of date is the year's end, or today for the current year.
    """
    raw_year = (args.get("year") or "").strip()
    try:
        year = int(raw_year) if raw_year else DEFAULT_YEAR
    except ValueError:
        raise FilterError(f"year must be a number, not {raw_year!r}") from None
    if not 2000 <= year <= 2100:
        raise FilterError("year must be between 2000 and 2100")
    fund = (args.get("fund") or "").strip() or None
    if fund is not None and fund not in FUNDS:
        raise FilterError(f"fund must be one of {', '.join(FUNDS)}")
    raw_day = (args.get("as_of") or "").strip()
    if raw_day:
        try:
            as_of = date.fromisoformat(raw_day)
        except ValueError:
            raise FilterError(f"as_of must be a date YYYY-MM-DD, not {raw_day!r}") from None
    else:
        as_of = min(date(year, 12, 31), today) if year <= today.year else date(year, 12, 31)
    region = (args.get("region") or "").strip() or None
    return Filters(year, fund, as_of, region)


def month_ends(year: int) -> list[date]:
    """The last day of each month of `year`."""
    ends = []
    for month in range(1, 13):
        first_next = date(year + (month == 12), month % 12 + 1, 1)
        ends.append(date.fromordinal(first_next.toordinal() - 1))
    return ends


def expected_share(curve: str, on: date) -> float:
    """The expected share of the year's plan disbursed by `on`, interpolated on the curve
    (`"03-31:0.10,06-30:0.30,..."`, the reporting service's REPORTING_EXPECTED_CURVE)."""
    points = [(0, 0.0)]
    for part in curve.split(","):
        day, share = part.split(":")
        month, dom = (int(x) for x in day.split("-"))
        points.append((date(on.year, month, dom).timetuple().tm_yday, float(share)))
    today = on.timetuple().tm_yday
    for (d0, s0), (d1, s1) in itertools.pairwise(points):
        if today <= d1:
            return s0 + (s1 - s0) * (today - d0) / (d1 - d0)
    return points[-1][1]
