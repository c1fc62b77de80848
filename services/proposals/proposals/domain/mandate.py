"""Who may change which proposal: the caller's mandate, checked against the proposal the rule
loads (never against what the event says about itself).

A province officer acts only on proposals of its provinces; another province's proposal is
answered as if it did not exist, so a refusal never tells its state. The decisions on a
proposal (appraisal, approval, rejection, contract) belong to whoever funds it: the ministry
for the national fund, the province for its local fund.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grantflow.domain import Early, Refused
from proposals.domain.model import Proposal

SUBMITTED = "proposal.submitted"
DECISIONS = frozenset(
    {"proposal.appraised", "proposal.approved", "proposal.rejected", "contract.signed"}
)
LOCAL_FUND = "local"


@dataclass(frozen=True, slots=True)
class Mandate:
    """`provinces`: the provinces the caller acts for (None: all). `local_decisions_only`: the
    caller decides only on local-fund proposals (a province). `actor`: a person who may not
    decide a proposal they submitted themselves (four eyes)."""

    provinces: frozenset[str] | None = None
    local_decisions_only: bool = False
    actor: str | None = None

    def check(
        self,
        event_type: str,
        subject: str | None,
        data: dict[str, Any],
        loaded: Proposal | None,
        submitters: frozenset[str] = frozenset(),
    ) -> None:
        """Refuses an event outside the mandate; `loaded` is the proposal the rule acts on,
        `submitters` who submitted it over HTTP."""
        pid = data["proposal_id"]
        if subject is not None and subject != pid:
            raise Refused(
                "subject_mismatch", f"subject {subject!r} is not the event's proposal_id {pid!r}"
            )
        if self.provinces is not None:
            self._within_provinces(event_type, pid, data, loaded, self.provinces)
        if self.local_decisions_only and event_type in DECISIONS:
            fund = loaded.source_fund if loaded is not None else None
            if fund is not None and fund != LOCAL_FUND:
                raise Refused(
                    "decision_reserved",
                    f"{event_type} on a {fund}-fund proposal is the ministry's decision; "
                    "a province decides its local-fund proposals",
                )
        if self.actor is not None and event_type in DECISIONS and self.actor in submitters:
            raise Refused(
                "decision_reserved",
                f"{self.actor} submitted proposal {pid}; another officer decides it (four eyes)",
            )

    @staticmethod
    def _within_provinces(
        event_type: str,
        pid: str,
        data: dict[str, Any],
        loaded: Proposal | None,
        provinces: frozenset[str],
    ) -> None:
        claimed = data.get("province")
        if claimed is not None and claimed not in provinces:
            raise Refused("forbidden", f"province {claimed} is outside the caller's token")
        if loaded is None or loaded.province in provinces:
            return
        if event_type == SUBMITTED:  # the id is taken; say nothing of the proposal
            raise Refused("illegal_transition", f"proposal {pid} already exists")
        # the same answer as for a proposal that was never submitted
        raise Early("unknown_proposal", f"proposal {pid} has not been submitted")


EVERYONE = Mandate()
