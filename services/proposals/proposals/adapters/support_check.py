"""The double-support check's glue: the beneficiaries' links and the flag at appraisal.

`domain.support` decides; this module finds the proposals to compare with (in the proposals'
own tables, and those of the batch being applied, which are not saved yet) and keeps the links
from a proposal to the registry ids it names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from proposals.adapters import repository
from proposals.adapters.tables import beneficiary, proposal
from proposals.config import proposals_settings
from proposals.domain.lifecycle import Change
from proposals.domain.model import Proposal
from proposals.domain.support import already_supported


def flag(session: Session, change: Change, in_batch: Mapping[str, Proposal | None]) -> None:
    """Sets `already_supported` on the appraised proposal and in its domain event's data."""
    p = change.proposal
    years = proposals_settings().already_supported_years
    others: dict[str, Proposal] = {}
    if p.beneficiary_ids:
        linked = (
            select(proposal)
            .join(beneficiary, beneficiary.c.proposal_id == proposal.c.proposal_id)
            .where(
                beneficiary.c.beneficiary_id.in_(sorted(set(p.beneficiary_ids))),
                proposal.c.activity == p.activity,
                proposal.c.year.between(p.year - years, p.year + years),
            )
        )
        others = {r.proposal_id: repository.from_row(r) for r in session.execute(linked)}
        others.update({pid: o for pid, o in in_batch.items() if o is not None})
    p.already_supported = already_supported(p, others.values(), years)
    change.data["already_supported"] = p.already_supported


def link(
    session: Session, submissions: Sequence[dict[str, Any]], changed: Mapping[str, Proposal]
) -> None:
    """Replace the links of every proposal (re)submitted in the batch and applied."""
    ids = sorted({d["proposal_id"] for d in submissions} & set(changed))
    if not ids:
        return
    session.execute(delete(beneficiary).where(beneficiary.c.proposal_id.in_(ids)))
    rows = [
        {"proposal_id": pid, "beneficiary_id": b}
        for pid in ids
        for b in sorted(set(changed[pid].beneficiary_ids))
    ]
    if rows:
        session.execute(beneficiary.insert(), rows)


def audited_flags(data: dict[str, Any]) -> dict[str, Any]:
    """What the audit trail shows of the check: the flag at appraisal, the override at
    approval."""
    keys = ("already_supported", "override_already_supported")
    return {k: data[k] for k in keys if data.get(k)}
