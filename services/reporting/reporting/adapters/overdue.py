"""Overdue proposals: each (proposal, reason) of an evaluation announced once, ever.

The kept evaluation's reasons (`evaluation.KEPT`) never noticed before are numbered in a
temporary table, claimed as notices with one INSERT, and announced `PAGE` at a time, so that
however many there are only a page of events is ever in memory.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from grantflow.contract import new_event
from reporting.adapters.evaluation import KEPT, keep_as
from reporting.adapters.tables import outbox
from reporting.domain.lag import LagRules, detail

SOURCE = "grantflow/reporting"
PAGE = 1000  # overdue announcements built and stored at a time

Announced = dict[str, str]  # {"type": ..., "subject": ...}

FRESH = "lag_fresh"
# Each (proposal, reason) of the kept evaluation never noticed before, numbered, with its
# version: a proposal's overdue announcements are counted, so consumers see no gaps.
FRESH_SQL = f"""
SELECT r.proposal_id, r.reason, r.province, r.year, r.source_fund, r.n,
       ROW_NUMBER() OVER (ORDER BY r.proposal_id, r.reason) AS seq,
       COALESCE(prior.k, 0)
         + ROW_NUMBER() OVER (PARTITION BY r.proposal_id ORDER BY r.reason) AS version
FROM {KEPT} r
LEFT JOIN reporting_overdue_notice seen
  ON seen.proposal_id = r.proposal_id AND seen.reason = r.reason
LEFT JOIN (
  SELECT proposal_id, COUNT(*) AS k FROM reporting_overdue_notice
  WHERE proposal_id IN (SELECT proposal_id FROM {KEPT}) GROUP BY proposal_id
) prior ON prior.proposal_id = r.proposal_id
WHERE seen.proposal_id IS NULL
"""
CLAIM_SQL = f"""
INSERT INTO reporting_overdue_notice (proposal_id, reason, as_of_day)
SELECT proposal_id, reason, :day FROM {FRESH}
"""
PAGE_SQL = f"""
SELECT seq, proposal_id, reason, province, year, source_fund, n, version FROM {FRESH}
WHERE seq > :after AND seq <= :after + :page ORDER BY seq
"""


def announce(session: Session, rules: LagRules, as_of: date) -> list[Announced]:
    """Claim every (proposal, reason) newly overdue, and announce each once, a page at a time."""
    keep_as(session, FRESH, FRESH_SQL)
    session.execute(text(f"CREATE INDEX {FRESH}_seq ON {FRESH} (seq)"))
    session.execute(text(CLAIM_SQL), {"day": as_of.toordinal()})
    announced: list[Announced] = []
    after = 0
    while rows := session.execute(text(PAGE_SQL), {"after": after, "page": PAGE}).all():
        events = [_overdue(row, rules, as_of) for row in rows]
        outbox.add(session, events)
        announced += ({"type": e["type"], "subject": e["subject"]} for e in events)
        after += PAGE
    return announced


def _overdue(row: Any, rules: LagRules, as_of: date) -> dict[str, Any]:
    return new_event(
        "proposal_overdue",
        SOURCE,
        {
            "proposal_id": row.proposal_id,
            "province": row.province,
            "year": int(row.year),
            "source_fund": row.source_fund,
            "reason": row.reason,
            "detail": detail(row.reason, int(row.n), as_of, rules)[:500],
            "as_of": as_of.isoformat(),
        },
        subject=row.proposal_id,
        version=int(row.version),
    )
