"""The 2016 southern-region conference report's figures beside what grantflow computed (the
regional report of `REGION` for 2016-H1), each with whether they match: reference data of the
programme's history, read by the demo and by the workspace's regional report."""

from __future__ import annotations

from typing import Any

REGION = "south_2016"  # the report's 20 provinces (regions.yaml)


def _billions(vnd: int) -> str:
    """As the report writes it: truncated to 0.1 billion, decimal comma (65,5 tỷ đồng)."""
    return f"{vnd // 100_000_000 / 10:.1f}".replace(".", ",") + " tỷ đồng"


Row = tuple[str, str, str, bool]  # the figure, as the report says it, as grantflow says it, match


def _money(figure: str, report: str, vnd: int, tenths_of_billion: int) -> Row:
    return figure, report, _billions(vnd), vnd // 100_000_000 == tenths_of_billion


def _percent(figure: str, report: str, value: float, reported: float) -> Row:
    return figure, report, f"{value:+.2f}%", value == reported


def _count(figure: str, report: str, achieved: int, reported: int) -> Row:
    return figure, report, str(achieved), achieved == reported


def compare(region: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's figures beside what grantflow computed (the regional report, 2016-H1)."""
    funds = {f["source_fund"]: f for f in region["funding"]}
    outputs = {o["activity"]: o for o in region["outputs"]}
    total, national, local = funds["all"], funds["national"], funds["local"]
    plans = region["provinces_with_local_plan"]
    training = outputs["training"]
    rows: list[Row] = [
        (
            "2016 funding approved, 20 provinces",
            "trên 65,5 tỷ đồng",
            _billions(total["amount_vnd"]),
            total["amount_vnd"] >= 65_500_000_000,
        ),
        _percent("change on the 2015 plan", "+1,83%", total["change_percent"], 1.83),
        _money("2015 plan", "64,3 tỷ đồng", total["previous_year_vnd"], 643),
        _money("national funds (KCQG)", "28,6 tỷ đồng", national["amount_vnd"], 286),
        _percent("national, change on 2015", "-2,18%", national["change_percent"], -2.18),
        (
            "local plans approved",
            "20/20",
            f"{plans['approved']}/{plans['of']}",
            (plans["approved"], plans["of"]) == (20, 20),
        ),
        _money("local funds (KCĐP)", "36,8 tỷ đồng", local["amount_vnd"], 368),
        _percent("local, change on 2015", "+5,18%", local["change_percent"], 5.18),
        _count("vocational trainees, H1", "331", training["achieved"], 331),
        (
            "trainees' share of plan",
            "19,2%",
            f"{training['share_percent']}%",
            training["share_percent"] == 19.2,
        ),
        _count("management and start-up trainees", "369", outputs["capacity"]["achieved"], 369),
        _count("demonstration models", "5", outputs["demonstration"]["achieved"], 5),
        _count("establishments with machinery", "59", outputs["machinery"]["achieved"], 59),
        (
            "trade-fair participations",
            "gần 130",
            str(outputs["trade_fair"]["achieved"]),
            120 <= outputs["trade_fair"]["achieved"] < 130,
        ),
    ]
    return [{"figure": f, "report": r, "grantflow": g, "matches": m} for f, r, g, m in rows]
