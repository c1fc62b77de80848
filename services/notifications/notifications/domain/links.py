"""Where an alert email links to in the workspace (`WORKSPACE_BASE_URL`): the proposal's screen
for an alert about one proposal, the province's screen for a province's alert, the overview
for a digest; each with the year, fund and as-of date of the alert."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode


def workspace_link(
    base: str,
    province: str | None = None,
    year: int | None = None,
    source_fund: str | None = None,
    proposal_id: str | None = None,
    on: date | None = None,
) -> str:
    """`workspace_link("https://ws", "80", 2016, "national", None, date(2016, 6, 30))` ->
    `https://ws/provinces/80?year=2016&fund=national&as_of=2016-06-30`."""
    if proposal_id:
        return f"{base}/proposals/{quote(proposal_id, safe='/')}"
    query = {
        key: value
        for key, value in (
            ("year", str(year) if year else (str(on.year) if on else None)),
            ("fund", source_fund),
            ("as_of", on.isoformat() if on else None),
        )
        if value
    }
    path = f"/provinces/{quote(province)}" if province else "/overview"
    return f"{base}{path}?{urlencode(query)}" if query else f"{base}{path}"
