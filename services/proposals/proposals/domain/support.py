"""Double support: a beneficiary already supported for the same activity (issue 15).

At appraisal, every beneficiary the proposal names (registry ids) is looked up among the
proposals that supported it for the same activity in a plan year within `years` of this one,
whatever province or fund paid it; each such proposal is listed in `already_supported`. An
approval over such a flag needs `override_already_supported` (the reason), which the proposal,
its domain event and the audit trail keep.

The check lives here, in the proposals service, because it owns every proposal: one query of
its own tables, in the transaction that appraises, with nothing to wait for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from grantflow.domain import Refused
from proposals.domain.model import Proposal, State

# A proposal from approval on has received support (rejected or cancelled ones have not).
SUPPORTED = frozenset(
    {State.APPROVED, State.CONTRACTED, State.IN_PROGRESS, State.ACCEPTED, State.SETTLED}
)


def already_supported(
    proposal: Proposal, others: Iterable[Proposal], years: int
) -> list[dict[str, Any]]:
    """The earlier support of `proposal`'s beneficiaries for its activity, oldest first."""
    wanted = set(proposal.beneficiary_ids)
    found = []
    for other in others:
        if (
            other.proposal_id == proposal.proposal_id
            or other.activity != proposal.activity
            or other.state not in SUPPORTED
            or abs(other.year - proposal.year) > years
        ):
            continue
        for beneficiary_id in sorted(wanted & set(other.beneficiary_ids)):
            found.append(
                {
                    "proposal_id": other.proposal_id,
                    "beneficiary_id": beneficiary_id,
                    "province": other.province,
                    "year": other.year,
                    "source_fund": other.source_fund,
                    "state": other.state.value,
                    "approved_vnd": other.approved_vnd,
                }
            )
    return sorted(found, key=lambda f: (f["year"], f["proposal_id"], f["beneficiary_id"]))


def overrides_already_supported(proposal: Proposal, data: dict[str, Any]) -> str | None:
    """The override's reason; `Refused('already_supported')` if flagged and not overridden."""
    reason = data.get("override_already_supported")
    if proposal.already_supported and not reason:
        earlier = ", ".join(sorted({f["proposal_id"] for f in proposal.already_supported}))
        raise Refused(
            "already_supported",
            f"proposal {proposal.proposal_id}'s appraisal found its beneficiaries already "
            f"supported for {proposal.activity} by {earlier}; approve with "
            "override_already_supported giving the reason",
        )
    return reason
