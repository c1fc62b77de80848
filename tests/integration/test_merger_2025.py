"""Reports across the merger of 01/07/2025, with proposals, disbursement and reporting running
on the real broker and PostgreSQL, fed a generated 2025 history (tests/support/merger_2025.py):
before the merger the 63 provinces and their names; from it the 34, each merged province's
plans, payments and lagging proposals its predecessors' together, including proposals filed
before the merger and paid after it; events sent after the merger under an old code accepted,
mapped, and the mapping recorded."""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import text

from grantflow.reference import province, region_members, successor
from tests.support import merger_2025 as h

BEFORE, AFTER = "2025-06-30", "2025-09-30"
M = 1_000_000


def _load(pipeline) -> None:
    plans, events = h.history()
    pipeline.broker.publish_all(plans)
    pipeline.quiet(timeout=60)
    pipeline.broker.publish_all(events)
    pipeline.quiet(timeout=120)


def _report(pipeline, as_of: str) -> dict[str, dict]:
    r = pipeline.get("reporting", "/api/v1/reports/provinces", as_of=as_of, source_fund="national")
    assert r.status_code == 200, r.text
    return {row["province"]: row for row in r.json()["items"]}


def test_a_2025_history_reports_under_the_63_then_the_34(pipeline):
    from datetime import date

    _load(pipeline)
    dead = pipeline.get("reporting", "/api/v1/dead-letters").json()
    assert dead["total"] == 0, [(d["code"], d["detail"]) for d in dead["items"]]

    before = _report(pipeline, BEFORE)
    assert sorted(before) == h.old_codes()  # the 20 of 2016, as they were
    assert before["74"]["province_name"] == "Bình Dương"
    assert before["74"]["allocated_vnd"] == h.plans()["74"]
    assert before["74"]["disbursed_vnd"] == 150 * M  # M74-1's advance

    after = _report(pipeline, AFTER)
    new_units = region_members("south_2016", date(2025, 9, 30))
    assert sorted(after) == new_units and len(new_units) < 20
    assert "74" not in after
    by_unit: dict[str, list[str]] = defaultdict(list)
    for code in h.old_codes():
        by_unit[successor(code)].append(code)
    for unit, olds in by_unit.items():
        row = after[unit]
        assert row["province_name"] == province(unit, date(2025, 9, 30)).name
        assert row["allocated_vnd"] == sum(h.plans()[c] for c in olds), unit
        # per old province: 210 M on M-1 (150 M advanced in March, 60 M paid on 15/09 after
        # the merger) and the 100 M advance of M-2, filed after the merger under its old code
        assert row["disbursed_vnd"] == 310 * M * len(olds), unit
        assert row["lagging_proposals"] == len(set(olds) & h.lagging_old_codes()), unit
    assert after["79"]["province_name"] == "Hồ Chí Minh"  # Bình Dương, BR-VT and HCMC

    region = pipeline.get(
        "reporting", "/api/v1/reports/regions/south_2016", period="2025-Q3"
    ).json()
    assert region["provinces"] == len(new_units)
    names = {p["province_name"] for p in region["lagging_provinces"]}
    assert "Bình Dương" not in names and names <= {province(u, date(2025, 9, 30)).name
                                                   for u in new_units}  # fmt: skip
    print(json.dumps(region, ensure_ascii=False, indent=1))


def test_an_event_after_the_merger_under_an_old_code_is_mapped_and_recorded(pipeline):
    _load(pipeline)
    with pipeline.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT province FROM reporting_proposal WHERE proposal_id = 'M74-2'")
        ).scalar()
        bodies = conn.execute(
            text("SELECT body FROM proposals_outbox WHERE subject = 'M74-2'")
        ).scalars()
        submitted = [json.loads(b) for b in bodies if "proposal_submitted" in b]
    assert stored == "79"
    (event,) = submitted
    assert (event["data"]["province"], event["data"]["province_as_sent"]) == ("79", "74")
