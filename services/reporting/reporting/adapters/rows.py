"""What one batch of events reads and writes, each at once (issue 14).

Before the batch is folded, the state its events read is loaded in a few queries: the rows of
its proposals, the sums and latest day of their money lines of the kinds an event reads, the
latest day of their progress. The events then change that state in memory, in order, and the
rows they add are kept; after the batch, one multi-row statement per table writes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from grantflow.contract import Envelope
from grantflow.db import insert_columns
from grantflow.domain import day_number as day
from reporting.adapters.tables import money, progress, proposal

__all__ = ["Batch", "day", "scope"]

SUMMED = ("disbursed", "refund_due", "owed")  # the kinds of money line whose sum an event reads
READS_MONEY = frozenset(
    # contract_signed: one recorded after its cancellation releases what was not disbursed
    {"disbursement_recorded", "settlement_recorded", "proposal_cancelled", "contract_signed"}
)
READS_PROGRESS = frozenset({"progress_reported", "proposal_accepted"})
COLUMNS = tuple(c.name for c in proposal.columns)


def scope(e: Envelope) -> dict[str, Any]:
    """The proposal, province, year and fund the event's rows are counted under."""
    d = e.data
    return {
        "proposal_id": d["proposal_id"],
        "province": d["province"],
        "year": d["year"],
        "source_fund": d["source_fund"],
    }


class Batch:
    """The state a batch of events reads, and the rows it adds, until `write()`."""

    def __init__(self, session: Session, events: Sequence[Envelope]) -> None:
        self.session = session
        self.added: defaultdict[Table, list[dict[str, Any]]] = defaultdict(list)
        self.changed: set[str] = set()
        self._proposals = _proposals(session, _ids(events, None))
        self._money = _ids(events, READS_MONEY)
        self.sums, self.latest_paid = _money(session, self._money)
        self.latest_progress = _latest_progress(session, _ids(events, READS_PROGRESS))

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.added[table].append(row)

    def add_money(self, e: Envelope, kind: str, amount: int, on: str | date) -> None:
        """One money line of `kind` for the event's proposal, dated `on`."""
        line = scope(e) | {"kind": kind, "amount_vnd": amount, "day": day(on)}
        self.add(money, line)
        pid = line["proposal_id"]
        if kind in SUMMED:
            self.sums[pid, kind] = self.sum(pid, kind) + amount
        if kind == "disbursed":
            self.latest_paid[pid] = max(self.latest_paid.get(pid, line["day"]), line["day"])

    def add_progress(self, row: dict[str, Any]) -> None:
        self.add(progress, row)
        pid, on = row["proposal_id"], row["as_of_day"]
        self.latest_progress[pid] = max(self.latest_progress.get(pid, on), on)

    def sum(self, pid: str, kind: str) -> int:
        """The sum of the proposal's money lines of `kind` so far, this batch's included."""
        assert pid in self._money and kind in SUMMED, f"money of {pid} not loaded"
        return self.sums.get((pid, kind), 0)

    def proposal(self, pid: str) -> dict[str, Any] | None:
        return self._proposals.get(pid)

    def put_proposal(self, pid: str, values: dict[str, Any]) -> None:
        """The proposal's row with `values`: a new one has every other column empty."""
        row = self._proposals.get(pid) or dict.fromkeys(COLUMNS)
        self._proposals[pid] = row | values | {"proposal_id": pid}
        self.changed.add(pid)

    def update_proposal(self, pid: str, values: dict[str, Any]) -> None:
        """`values` on the proposal's row if it is there (an UPDATE of no row otherwise)."""
        if pid in self._proposals:
            self.put_proposal(pid, values)

    def write(self) -> None:
        """Every changed proposal in one upsert, then each table's new rows in one insert
        (one array a column: no bind per value)."""
        if self.changed:
            rows = [self._proposals[p] for p in sorted(self.changed)]
            insert_columns(
                self.session, proposal, rows, update=[c for c in COLUMNS if c != "proposal_id"]
            )
        for table, rows in self.added.items():
            insert_columns(self.session, table, rows)


def _ids(events: Iterable[Envelope], types: frozenset[str] | None) -> set[str]:
    return {
        e.data["proposal_id"]
        for e in events
        if "proposal_id" in e.data and (types is None or e.type in types)
    }


def _proposals(session: Session, pids: set[str]) -> dict[str, dict[str, Any]]:
    if not pids:
        return {}
    found = session.execute(select(proposal).where(proposal.c.proposal_id.in_(pids)))
    return {r.proposal_id: r._asdict() for r in found}


def _money(session: Session, pids: set[str]) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    if not pids:
        return {}, {}
    m = money.c
    found = session.execute(
        select(m.proposal_id, m.kind, func.sum(m.amount_vnd), func.max(m.day))
        .where(m.proposal_id.in_(pids), m.kind.in_(SUMMED))
        .group_by(m.proposal_id, m.kind)
    )
    sums: dict[tuple[str, str], int] = {}
    latest: dict[str, int] = {}
    for pid, kind, total, last in found:
        sums[pid, kind] = int(total)
        if kind == "disbursed":
            latest[pid] = last
    return sums, latest


def _latest_progress(session: Session, pids: set[str]) -> dict[str, int]:
    if not pids:
        return {}
    found = session.execute(
        select(progress.c.proposal_id, func.max(progress.c.as_of_day))
        .where(progress.c.proposal_id.in_(pids))
        .group_by(progress.c.proposal_id)
    )
    return {pid: last for pid, last in found}
