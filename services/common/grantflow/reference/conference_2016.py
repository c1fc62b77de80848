"""The 2016 southern-region conference report's figures beside what grantflow computed (the
regional report of `REGION` for 2016-H1), each with whether they match: reference data of the
programme's history, read by the demo and by the workspace's regional report."""

from __future__ import annotations

from typing import Any

REGION = "south_2016"  # the report's 20 provinces (regions.yaml)


def _billions(vnd: int) -> str:
    """As the report writes it: truncated to 0.1 billion, decimal comma (65,5 tỷ đồng)."""
    return f"{vnd // 100_000_000 / 10:.1f}".replace(".", ",") + " tỷ đồng"


def compare(region: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's figures beside what grantflow computed (the regional report, 2016-H1)."""
    funds = {f["source_fund"]: f for f in region["funding"]}
    outputs = {o["activity"]: o for o in region["outputs"]}
    total, national, local = funds["all"], funds["national"], funds["local"]
    plans = region["provinces_with_local_plan"]
    training = outputs["training"]
    rows = [
        (
            "2016 funding approved, 20 provinces",
            "trên 65,5 tỷ đồng",
            _billions(total["amount_vnd"]),
            total["amount_vnd"] >= 65_500_000_000,
        ),
        (
            "change on the 2015 plan",
            "+1,83%",
            f"{total['change_percent']:+.2f}%",
            total["change_percent"] == 1.83,
        ),
        (
            "2015 plan",
            "64,3 tỷ đồng",
            _billions(total["previous_year_vnd"]),
            total["previous_year_vnd"] // 100_000_000 == 643,
        ),
        (
            "national funds (KCQG)",
            "28,6 tỷ đồng",
            _billions(national["amount_vnd"]),
            national["amount_vnd"] // 100_000_000 == 286,
        ),
        (
            "national, change on 2015",
            "-2,18%",
            f"{national['change_percent']:+.2f}%",
            national["change_percent"] == -2.18,
        ),
        (
            "local plans approved",
            "20/20",
            f"{plans['approved']}/{plans['of']}",
            (plans["approved"], plans["of"]) == (20, 20),
        ),
        (
            "local funds (KCĐP)",
            "36,8 tỷ đồng",
            _billions(local["amount_vnd"]),
            local["amount_vnd"] // 100_000_000 == 368,
        ),
        (
            "local, change on 2015",
            "+5,18%",
            f"{local['change_percent']:+.2f}%",
            local["change_percent"] == 5.18,
        ),
        ("vocational trainees, H1", "331", str(training["achieved"]), training["achieved"] == 331),
        (
            "trainees' share of plan",
            "19,2%",
            f"{training['share_percent']}%",
            training["share_percent"] == 19.2,
        ),
        (
            "management and start-up trainees",
            "369",
            str(outputs["capacity"]["achieved"]),
            outputs["capacity"]["achieved"] == 369,
        ),
        (
            "demonstration models",
            "5",
            str(outputs["demonstration"]["achieved"]),
            outputs["demonstration"]["achieved"] == 5,
        ),
        (
            "establishments with machinery",
            "59",
            str(outputs["machinery"]["achieved"]),
            outputs["machinery"]["achieved"] == 59,
        ),
        (
            "trade-fair participations",
            "gần 130",
            str(outputs["trade_fair"]["achieved"]),
            120 <= outputs["trade_fair"]["achieved"] < 130,
        ),
    ]
    return [{"figure": f, "report": r, "grantflow": g, "matches": m} for f, r, g, m in rows]
