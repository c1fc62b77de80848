"""The reporting service: thin entrypoints over projections, the evaluation and the reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.wrappers import Request, Response

from grantflow.auth import ALL_PROVINCE_READERS, AUDIT_READERS, CENTRAL, READERS, SYSTEM
from grantflow.contract import Envelope
from grantflow.domain import FUNDS
from grantflow.errors import Refused
from grantflow.http import (
    api,
    body_date,
    body_int,
    json_object,
    not_in_future,
    query_choice,
    query_date,
    query_int,
    query_text,
)
from grantflow.ingest import RawMessage, dead_letter_ingest, domain_event_ingest
from grantflow.outcomes import Outcome, apply_batch
from grantflow.startup import every
from reporting import deadletters, views
from reporting.adapters import projections
from reporting.adapters.evaluation import Evaluation
from reporting.adapters.tables import inbox
from reporting.bootstrap import Wiring, configured
from reporting.handlers import announce as announcing

REASONS = 20  # per province in the answer of an evaluation, unless asked otherwise


class ReportingService(Wiring):
    name = "reporting"

    @domain_event_ingest(projections.HANDLED)
    def project(self, events: list[Envelope]) -> list[Outcome]:
        """Every domain event of proposals and disbursement into the read models."""
        return apply_batch(self.db, inbox, events, projections.apply_events, self.audit)

    @dead_letter_ingest()
    def keep_dead_letters(self, messages: list[RawMessage]) -> list[Outcome]:
        """Everything any service dead-lettered, into the store behind /api/v1/dead-letters."""
        return deadletters.store(self.db, messages)

    @every(interval=lambda config: configured().own.lag_interval_seconds)
    def evaluate_today(self) -> None:
        self._evaluate(date.today(), announce=True)

    @api("POST", "/api/v1/lag-evaluations", allow=CENTRAL | {SYSTEM})
    def lag_evaluation(self, request: Request) -> dict[str, Any]:
        """Evaluate the schedule lag as of a date: `{"as_of": "2016-06-30", "announce": true}`.

        Answers every province's figures, level and first reasons, and what was announced.
        """
        body = json_object(request)
        as_of = _in_years(body_date(body, "as_of", date.today()))
        first = body_int(body, "reasons_per_province", REASONS, 0, announcing.EVIDENCE)
        announce = bool(body.get("announce", True))
        result, announced = self._evaluate(not_in_future(as_of, announce), announce, first)
        provinces = [announcing.answer(f) for f in result.figures]
        return {"as_of": as_of.isoformat(), "provinces": provinces, "announced": announced}

    def _evaluate(
        self, as_of: date, announce: bool, first: int = 0
    ) -> tuple[Evaluation, list[dict[str, str]]]:
        actor = self.caller.sub if self.caller else announcing.SOURCE  # the timer: ourselves
        result, announced = announcing.run(
            self.db, self.cfg.rules, as_of, announce, self.audit.acting(actor), first
        )
        if announce:  # the metrics show the latest announced evaluation
            self.business.observe(result, views.states_by_province(self.db, as_of))
            self.business.observe_quality(
                as_of.year, views.data_quality(self.db, self.cfg.rules, as_of)
            )
            self.db.rollback()
        return result, announced

    @api("GET", "/api/v1/reports/provinces", allow=READERS)
    def provinces_report(self, request: Request) -> Any:
        """Per province: allocated, committed, disbursed, rate, expected, level, proposals
        (a province officer: the rows of their own provinces, regional averages included)."""
        year, as_of = _year_and_date(request)
        report = views.province_report(
            self.db,
            self.cfg.rules,
            year,
            query_choice(request, "source_fund", FUNDS),
            as_of,
        )
        report = views.visible_to(report, ("items",), self.caller)
        return _maybe_csv(request, report, views.province_rows, f"provinces-{year}")

    @api("GET", "/api/v1/reports/regions/<string:region>", allow=ALL_PROVINCE_READERS)
    def region_report(self, request: Request, region: str) -> Any:
        """The regional report of a period (`?period=2016-H1`), as the 2016 report reads."""
        period = query_text(request, "period") or str(date.today().year)
        report = views.region_report(self.db, self.cfg.rules, region, period)
        return _maybe_csv(request, report, views.region_rows, f"{region}-{period}")

    @api("GET", "/api/v1/warnings", allow=READERS)
    def list_warnings(self, request: Request) -> Any:
        """Current warning levels and their history (a province officer: their provinces')."""
        province = query_text(request, "province")
        if province is not None and not (len(province) == 2 and province.isdigit()):
            raise Refused("bad_query", "province must be a GSO code of two digits, e.g. 80")
        year = query_int(request, "year", None, 2000, 2100)
        report = views.warnings(self.db, year, province)
        report = views.visible_to(report, ("current", "history"), self.caller)
        return _maybe_csv(request, report, views.warning_rows, "warnings")

    @api("GET", "/api/v1/dead-letters", allow=AUDIT_READERS)
    def dead_letters(self, request: Request) -> dict[str, Any]:
        """What every service dead-lettered: code, detail, source, type, time, body."""
        return deadletters.listing(
            self.db,
            query_text(request, "code"),
            query_int(request, "limit", 50, 1, 500) or 50,
            query_int(request, "offset", 0, 0, 2**63 - 1) or 0,
        )

    @api("POST", "/api/v1/dead-letters/<int:dead_id>/redrive", allow=CENTRAL)
    def redrive(self, request: Request, dead_id: int) -> dict[str, Any]:
        """Publish a dead letter's body again to `grantflow.lifecycle`, once."""
        cfg = self.cfg.shared
        uri = self.config.get("AMQP_URI") or cfg.amqp_uri
        return deadletters.redrive(self.db, dead_id, uri, cfg.lifecycle_exchange)


def _year_and_date(request: Request) -> tuple[int, date]:
    year = query_int(request, "year", None, 2000, 2100)
    as_of = query_date(request, "as_of")
    if year is None and as_of is None:
        raise Refused("bad_query", "give year or as_of")
    if as_of is None:
        today = date.today()
        as_of = today if year == today.year else date(year, 12, 31)  # type: ignore[arg-type]
    if year is not None and year != as_of.year:
        raise Refused("bad_query", f"as_of {as_of} is not in {year}")
    return _in_years(as_of).year, as_of


def _in_years(as_of: date) -> date:
    if not 2000 <= as_of.year <= 2100:
        raise Refused("bad_query", f"as_of {as_of} is not in the years 2000 to 2100")
    return as_of


def _maybe_csv(request: Request, report: Any, rows: Any, name: str) -> Any:
    if request.args.get("format") != "csv":
        return report
    return Response(
        views.as_csv(rows(report)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
