"""What of a report a caller may see: a province officer, the rows of their own provinces."""

from __future__ import annotations

from typing import Any

from grantflow.auth import Principal


def visible_to(report: dict[str, Any], lists: tuple[str, ...], caller: Principal) -> dict[str, Any]:
    """`report` with each list of `lists` cut to the caller's provinces (as is for a caller who
    sees every province). The rows keep what was computed over every province, such as the
    regional average, which is no single other province's figure."""
    mine = caller.province_filter()
    if mine is None:
        return report
    return report | {key: [r for r in report[key] if r["province"] in mine] for key in lists}
