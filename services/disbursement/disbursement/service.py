"""The disbursement service: thin entrypoints over `handlers` and `views`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from werkzeug.wrappers import Request

from disbursement import handlers, views
from disbursement.adapters.tables import inbox
from disbursement.bootstrap import Wiring
from grantflow.auth import (
    CENTRAL_OFFICER,
    EVENT_WRITERS,
    FINANCE,
    READERS,
    SYSTEM,
)
from grantflow.config import settings
from grantflow.contract import Envelope
from grantflow.domain import FUNDS
from grantflow.errors import Refused
from grantflow.http import (
    api,
    not_in_future,
    posted_event,
    query_choice,
    query_date,
    query_int,
    query_text,
)
from grantflow.ingest import domain_event_ingest, lifecycle_ingest
from grantflow.outcomes import Outcome, apply_batch, apply_one
from grantflow.reference import region_members
from grantflow.startup import every

OVERDUE_RAISERS = frozenset({CENTRAL_OFFICER, FINANCE, SYSTEM})


class DisbursementService(Wiring):
    name = "disbursement"

    @lifecycle_ingest(handlers.LIFECYCLE_TYPES, handlers.LIFECYCLE_KEYS)
    def ingest(self, events: list[Envelope]) -> list[Outcome]:
        """Plans, payments and repayments from `grantflow.lifecycle`."""
        return apply_batch(self.db, inbox, events, handlers.apply_events, self.audit)

    @domain_event_ingest(handlers.PROPOSAL_EVENTS)
    def ingest_proposal_events(self, events: list[Envelope]) -> list[Outcome]:
        """Contracts, acceptance, settlement, cancellation from the proposals service."""
        return apply_batch(self.db, inbox, events, handlers.apply_events, self.audit)

    @every(interval=lambda config: settings().overdue_check_seconds)
    def raise_overdue_today(self) -> None:
        handlers.raise_overdue(self.db, date.today(), self.cfg.repayment_grace_days)

    @api("POST", "/api/v1/overdue-evaluations", allow=OVERDUE_RAISERS)
    def evaluate_overdue(self, request: Request) -> tuple[int, dict[str, Any]]:
        """Raise what is overdue as of a date, e.g. `{"as_of": "2016-11-01"}` (default today)."""
        raw = request.get_data()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise Refused("not_json", "the body is not JSON") from None
        if not isinstance(body, dict):
            raise Refused("bad_query", 'send {"as_of": "YYYY-MM-DD"} or no body')
        try:
            as_of = date.fromisoformat(body.get("as_of") or date.today().isoformat())
        except (TypeError, ValueError):
            raise Refused("bad_query", "as_of must be a date YYYY-MM-DD") from None
        not_in_future(as_of)
        raised = handlers.raise_overdue(self.db, as_of, self.cfg.repayment_grace_days)
        return 200, {
            "as_of": as_of.isoformat(),
            "raised": [
                {"type": e["type"], "proposal_id": e["subject"], "data": e["data"]} for e in raised
            ],
        }

    @api("POST", "/api/v1/events", allow=EVENT_WRITERS)
    def post_event(self, request: Request) -> tuple[int, dict[str, Any]]:
        """One lifecycle CloudEvent (structured mode): plan.*, disbursement.made,
        repayment.received. Example body: contracts/examples/disbursement.made.json."""
        event = posted_event(request, handlers.LIFECYCLE_TYPES, self.caller)
        self.caller.require_province(event.data.get("province"))
        return 202, apply_one(
            self.db, inbox, event, handlers.apply_events, self.audit, self.caller.sub
        )

    @api("GET", "/api/v1/plans", allow=READERS)
    def list_plans(self, request: Request) -> dict[str, Any]:
        """Plans of a year per province and fund, every version, the change on last year."""
        year = query_int(request, "year", None, 2000, 2100)
        if year is None:
            raise Refused("bad_query", "year is required")
        return views.plans(
            self.db,
            year,
            query_text(request, "province"),
            query_choice(request, "source_fund", FUNDS),
            self._visible(_members(request, date(year, 1, 1))),
        )

    @api("GET", "/api/v1/disbursement-rates", allow=READERS)
    def disbursement_rates(self, request: Request) -> dict[str, Any]:
        """Allocated, committed, disbursed and rate per province, with the region's total."""
        year = query_int(request, "year", None, 2000, 2100)
        if year is None:
            raise Refused("bad_query", "year is required")
        as_of = query_date(request, "as_of", date.today())
        assert as_of is not None
        return views.disbursement_rates(
            self.db,
            year,
            query_choice(request, "source_fund", FUNDS),
            as_of,
            self._visible(_members(request, date(year, 1, 1))),
        )

    @api("GET", "/api/v1/proposals/<path:proposal_id>/ledger", allow=READERS)
    def ledger(self, request: Request, proposal_id: str) -> dict[str, Any]:
        """Commitment, tranches with status, payments, refunds and repayments of a proposal."""
        as_of = query_date(request, "as_of", date.today())
        assert as_of is not None
        found = (
            views.proposal_ledger(self.db, proposal_id, as_of)
            if "\x00" not in proposal_id
            else None
        )
        if found is None or not self.caller.may_see(found["province"]):  # the same 404
            raise Refused("not_found", f"no contract of proposal {proposal_id} is recorded")
        return found

    def _visible(self, members: list[str] | None) -> list[str] | None:
        """The provinces a caller may see among those asked for (None: all of them)."""
        mine = self.caller.province_filter()
        if mine is None:
            return members
        return [p for p in (members if members is not None else mine) if p in mine]


def _members(request: Request, on: date) -> list[str] | None:
    region = query_text(request, "region")
    if region is None:
        return None
    try:
        return region_members(region, on)
    except (KeyError, ValueError) as exc:
        raise Refused("bad_query", f"unknown region {region!r}") from exc
