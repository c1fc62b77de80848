"""The proposals service: thin entrypoints over `handlers` and `adapters.repository`."""

from __future__ import annotations

from functools import partial
from typing import Any

from werkzeug.wrappers import Request

from grantflow.auth import EVENT_WRITERS, READERS
from grantflow.contract import Envelope
from grantflow.http import api, posted_event, query_int, query_text, visible_one
from grantflow.ingest import lifecycle_ingest
from grantflow.outcomes import Outcome, apply_batch, apply_one
from proposals import handlers
from proposals.adapters import repository
from proposals.adapters.tables import inbox
from proposals.bootstrap import Wiring
from proposals.domain.mandate import EVERYONE, Mandate

FILTERS = ("province", "source_fund", "state", "activity")


class ProposalsService(Wiring):
    name = "proposals"

    @lifecycle_ingest(handlers.HANDLED_TYPES, handlers.ROUTING_KEYS)
    def ingest(self, events: list[Envelope]) -> list[Outcome]:
        """A batch of lifecycle events from `grantflow.lifecycle`, applied in one transaction."""
        return apply_batch(self.db, inbox, events, handlers.apply_events, self.audit)

    @api("POST", "/api/v1/events", allow=EVENT_WRITERS)
    def post_event(self, request: Request) -> tuple[int, dict[str, Any]]:
        """One CloudEvent in structured mode, through the same rules as the AMQP path.

        Example body: contracts/examples/proposal.submitted.json. Answers 202 with
        `{"id": ..., "outcome": "applied" | "duplicate"}`, or the error body with its code.
        """
        event = posted_event(request, handlers.HANDLED_TYPES, self.caller)
        if "province" in event.data:  # a submission says where it belongs
            self.caller.require_province(event.data["province"])
        mandate = EVERYONE
        if not self.caller.all_provinces:  # checked on the proposal the rule loads
            mandate = Mandate(self.caller.provinces, True, actor=self.caller.sub)
        apply = partial(handlers.apply_events, mandate=mandate)
        return 202, apply_one(self.db, inbox, event, apply, self.audit, self.caller.sub)

    @api("GET", "/api/v1/proposals", allow=READERS)
    def list_proposals(self, request: Request) -> dict[str, Any]:
        """Proposals, filtered by province, year, source_fund, state, activity; paginated."""
        limit = query_int(request, "limit", 50, 1, 500)
        offset = query_int(request, "offset", 0, 0, 2**63 - 1)
        filters = {k: query_text(request, k) for k in FILTERS}
        filters["year"] = query_int(request, "year", None, 2000, 2100)
        items, total = repository.find(
            self.db, filters, limit, offset, self.caller.province_filter()
        )
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    @api("GET", "/api/v1/proposals/<path:proposal_id>", allow=READERS)
    def get_proposal(self, request: Request, proposal_id: str) -> dict[str, Any]:
        """One proposal with its full history (the audit trail of every change)."""
        lookup = partial(repository.detail, self.db)
        return visible_one(self.caller, lookup, proposal_id, f"no proposal {proposal_id}")
