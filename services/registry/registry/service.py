"""The registry service: thin entrypoints over `handlers` and `views`."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from werkzeug.wrappers import Request, Response

from grantflow.auth import ALL_PROVINCE_READERS, EVENT_WRITERS, READERS
from grantflow.contract import Envelope
from grantflow.errors import Refused
from grantflow.http import (
    api,
    posted_event,
    query_choice,
    query_date,
    query_int,
    query_text,
    visible_one,
)
from grantflow.ingest import domain_event_ingest, lifecycle_ingest
from grantflow.outcomes import Outcome, apply_batch, apply_one
from grantflow.reference import region_names
from registry.adapters.tables import inbox
from registry.bootstrap import Wiring
from registry.handlers import records, support
from registry.views import open_data
from registry.views import records as views

KINDS = ("enterprise", "cooperative", "household_business", "craft_village")
LEVELS = ("district", "province", "region", "national")


class RegistryService(Wiring):
    name = "registry"

    @lifecycle_ingest(records.HANDLED_TYPES, records.ROUTING_KEYS)
    def ingest(self, events: list[Envelope]) -> list[Outcome]:
        """Beneficiaries, craft villages, products, clusters, collaborators from
        `grantflow.lifecycle`, applied in one transaction."""
        return apply_batch(self.db, inbox, events, records.apply_events, self.audit)

    @domain_event_ingest(support.HANDLED)
    def ingest_support(self, events: list[Envelope]) -> list[Outcome]:
        """Proposals' lifecycle and payments: who received what support."""
        return apply_batch(self.db, inbox, events, support.apply_events)

    @api("POST", "/api/v1/events", allow=EVENT_WRITERS)
    def post_event(self, request: Request) -> tuple[int, dict[str, Any]]:
        """One CloudEvent in structured mode, through the same rules as the AMQP path.

        Example body: contracts/examples/beneficiary.registered.json. Answers 202 with
        `{"id": ..., "outcome": "applied" | "duplicate"}`, or the error body with its code.
        """
        event = posted_event(request, records.HANDLED_TYPES, self.caller)
        self._require_province_of(event)
        apply = records.apply_events
        return 202, apply_one(self.db, inbox, event, apply, self.audit, self.caller.sub)

    def _require_province_of(self, event: Envelope) -> None:
        """A province's caller posts only about its own beneficiaries (the event's province, or
        the province of the beneficiary it names)."""
        if not self.caller.all_provinces:
            named = views.province_of(self.db, event.data.get("beneficiary_id"))
            self.caller.require_province(event.data.get("province") or named)

    @api("GET", "/api/v1/beneficiaries", allow=READERS)
    def search_beneficiaries(self, request: Request) -> dict[str, Any]:
        """Search by name without diacritics (`q=co so det may`), `tax_code`, `province`,
        `kind`; paginated."""
        limit = query_int(request, "limit", 50, 1, 500) or 50
        offset = query_int(request, "offset", 0, 0, 2**63 - 1) or 0
        filters = {k: query_text(request, k) for k in ("q", "tax_code", "province")}
        filters["kind"] = query_choice(request, "kind", KINDS)
        items, total = views.search_beneficiaries(
            self.db, filters, limit, offset, self.caller.province_filter()
        )
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    @api("GET", "/api/v1/beneficiaries/<path:beneficiary_id>", allow=READERS)
    def get_beneficiary(self, request: Request, beneficiary_id: str) -> dict[str, Any]:
        """One beneficiary with its products and its whole support history (every proposal
        that named it, any year, fund or province: amounts and outcome)."""
        lookup = partial(views.beneficiary_detail, self.db)
        return visible_one(self.caller, lookup, beneficiary_id, f"no beneficiary {beneficiary_id}")

    @api("GET", "/api/v1/products", allow=READERS)
    def list_products(self, request: Request) -> dict[str, Any]:
        """Typical rural industrial products' awards by `level`, `year`, `province`."""
        filters = {
            "level": query_choice(request, "level", LEVELS),
            "year": query_int(request, "year", None, 2000, 2100),
            "province": query_text(request, "province"),
        }
        return {"items": views.products(self.db, filters, self.caller.province_filter())}

    @api("GET", "/api/v1/clusters", allow=READERS)
    def list_clusters(self, request: Request) -> dict[str, Any]:
        """Industrial clusters by `province` and `status`, areas as decimal strings of ha."""
        filters = {
            "province": query_text(request, "province"),
            "status": query_choice(request, "status", ("planned", "operating")),
        }
        return views.clusters(self.db, filters, self.caller.province_filter())

    @api("GET", "/api/v1/collaborators", allow=ALL_PROVINCE_READERS)
    def collaborator_coverage(self, request: Request) -> dict[str, Any]:
        """Each promotion centre of a `region` (default south_2016) with its district and
        commune collaborator networks on `as_of` (default today), and how many have one.
        A regional figure: for the central office, finance, auditors and systems."""
        region = query_choice(request, "region", tuple(sorted(region_names()))) or "south_2016"
        as_of = query_date(request, "as_of", date.today()) or date.today()
        return views.collaborator_coverage(self.db, region, as_of)

    @api("GET", "/open-data/<name>")
    def open_data_file(self, request: Request, name: str) -> Response:
        """A file of the public open data package, no token needed: `datapackage.json`, the
        CSV tables (proposals, awards, payments, products, clusters), `iati-activities.xml`."""
        if name not in open_data.FILES:
            raise Refused(
                "not_found", f"no open data file {name}; there are {', '.join(open_data.FILES)}"
            )
        built = open_data.build(self.db)
        if name not in built:  # only the IATI XML is ever left out
            raise Refused(
                "no_iati_activity",
                f"{name} has no activity yet: IATI needs one at least, and only the national"
                " fund's proposals are published as activities",
            )
        body = built[name]
        kind = {"json": "application/json", "csv": "text/csv", "xml": "application/xml"}
        media = kind[name.rsplit(".", 1)[1]] + "; charset=utf-8"
        return Response(body, content_type=media)
