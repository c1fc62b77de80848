"""The disbursement service: thin entrypoints over `handlers` and `views`."""

from __future__ import annotations

from datetime import date
from functools import partial
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
    body_date,
    json_object,
    not_in_future,
    posted_event,
    query_choice,
    query_date,
    query_text,
    query_year,
    visible_one,
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
        as_of = not_in_future(body_date(json_object(request), "as_of", date.today()))
        raised = handlers.raise_overdue(self.db, as_of, self.cfg.repayment_grace_days)
        return 200, {"as_of": as_of.isoformat(), "raised": [_raised(e) for e in raised]}

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
        year = query_year(request)
        province = query_text(request, "province")
        fund = query_choice(request, "source_fund", FUNDS)
        return views.plans(self.db, year, province, fund, self._provinces(request, year))

    @api("GET", "/api/v1/disbursement-rates", allow=READERS)
    def disbursement_rates(self, request: Request) -> dict[str, Any]:
        """Allocated, committed, disbursed and rate per province, with the region's total."""
        year, as_of = query_year(request), query_date(request, "as_of", date.today())
        fund = query_choice(request, "source_fund", FUNDS)
        provinces = self._provinces(request, year)
        return views.disbursement_rates(self.db, year, fund, as_of, provinces)

    @api("GET", "/api/v1/proposals/<path:proposal_id>/ledger", allow=READERS)
    def ledger(self, request: Request, proposal_id: str) -> dict[str, Any]:
        """Commitment, tranches with status, payments, refunds and repayments of a proposal."""
        as_of = query_date(request, "as_of", date.today())
        lookup = partial(views.proposal_ledger, self.db, as_of=as_of)
        missing = f"no contract of proposal {proposal_id} is recorded"
        return visible_one(self.caller, lookup, proposal_id, missing)

    def _provinces(self, request: Request, year: int) -> list[str] | None:
        """The provinces a caller may see among those of the `region` asked for (None: all)."""
        members = _members(request, date(year, 1, 1))
        mine = self.caller.province_filter()
        if mine is None:
            return members
        return [p for p in (members if members is not None else mine) if p in mine]


def _raised(event: dict[str, Any]) -> dict[str, Any]:
    return {"type": event["type"], "proposal_id": event["subject"], "data": event["data"]}


def _members(request: Request, on: date) -> list[str] | None:
    region = query_text(request, "region")
    if region is None:
        return None
    try:
        return region_members(region, on)
    except (KeyError, ValueError) as exc:
        raise Refused("bad_query", f"unknown region {region!r}") from exc
