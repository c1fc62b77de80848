"""The notifications service: thin entrypoints over the modules named in `notifications`."""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.wrappers import Request, Response

from grantflow.audit import Acting
from grantflow.auth import ALL_PROVINCE_READERS, CENTRAL, SYSTEM
from grantflow.contract import Envelope
from grantflow.errors import Refused
from grantflow.formatting import VIETNAM_TIME
from grantflow.http import api, query_choice, query_int, query_text
from grantflow.ingest import domain_event_ingest
from grantflow.outcomes import Outcome, apply_batch
from grantflow.startup import every
from notifications import views
from notifications.adapters import recipient_store
from notifications.adapters.tables import inbox
from notifications.bootstrap import Wiring, now_utc
from notifications.config import NotifySettings
from notifications.domain.alerts import EVENT_TYPES
from notifications.domain.model import KINDS
from notifications.handlers import alerting, commands, daily_digest, deliveries, due_groups

ALERT_STATUSES = ("firing", "resolving", "resolved")
DELIVERY_STATUSES = ("pending", "sent", "failed")
DELIVERY_KINDS = ("firing", "resolved", "digest")
SILENCE_STATES = ("pending", "active", "expired")

# Recipients, alerts and deliveries span every province: the central office and finance
# manage them, auditors read them; province officers see their alerts by email.
STAFF = ALL_PROVINCE_READERS - {SYSTEM}


class NotificationsService(Wiring):
    name = "notifications"

    @domain_event_ingest(EVENT_TYPES)
    def ingest(self, events: list[Envelope]) -> list[Outcome]:
        """Warnings from reporting (province_lagging, province_recovered, proposal_overdue)
        and disbursement (tranche_overdue, repayment_overdue, settlement_recorded)."""
        wait = self.mail.group_wait
        return apply_batch(
            self.db,
            inbox,
            events,
            lambda s, batch: alerting.apply_events(s, batch, wait, now_utc()),
            self.audit,
        )

    @every(interval=lambda config: NotifySettings.load(config).flush_interval_seconds)
    def flush(self) -> None:
        """Plan the emails of every group whose group_wait, repeat or silence has run out."""
        due_groups.flush(self.db, self.mail, now_utc())

    @every(interval=lambda config: NotifySettings.load(config).flush_interval_seconds)
    def send(self) -> None:
        deliveries.send_due(self.mail, now_utc())

    @every(interval=lambda config: NotifySettings.load(config).digest_check_seconds)
    def digests(self) -> None:
        daily_digest.queue_digests(self.db, self.mail, now_utc())

    # Recipients -------------------------------------------------------------------------

    @api("GET", "/api/v1/recipients", allow=STAFF)
    def list_recipients(self, request: Request) -> dict[str, Any]:
        return views.recipients(self.db)

    @api("POST", "/api/v1/recipients", allow=CENTRAL)
    def create_recipient(self, request: Request) -> tuple[int, dict[str, Any]]:
        """``{"name": "Nguyễn Thị Lan", "email": "lan@sct.longan.gov.vn", "language": "vi",
        "role": "province_finance", "provinces": ["80"], "kinds": "all", "digest": false}``"""
        r = commands.add_recipient(self.db, _body(request), now_utc(), self._by())
        return 201, views.recipient_json(r)

    @api("GET", "/api/v1/recipients/<rid>", allow=STAFF)
    def get_recipient(self, request: Request, rid: str) -> dict[str, Any]:
        found = recipient_store.find_recipient(self.db, rid) if "\x00" not in rid else None
        if found is None:
            raise Refused("not_found", f"no recipient {rid}")
        return views.recipient_json(found)

    @api("PUT", "/api/v1/recipients/<rid>", allow=CENTRAL)
    def replace_recipient(self, request: Request, rid: str) -> dict[str, Any]:
        _known(rid)
        r = commands.replace_recipient(self.db, rid, _body(request), now_utc(), self._by())
        return views.recipient_json(r)

    @api("DELETE", "/api/v1/recipients/<rid>", allow=CENTRAL)
    def delete_recipient(self, request: Request, rid: str) -> Response:
        _known(rid)
        commands.delete_recipient(self.db, rid, self._by())
        return Response(status=204)

    # Alerts and silences ----------------------------------------------------------------

    @api("GET", "/api/v1/alerts", allow=STAFF)
    def list_alerts(self, request: Request) -> dict[str, Any]:
        """Alerts with the silence that mutes each now and the silences that held it back."""
        silenced = query_choice(request, "silenced", ("true", "false"))
        return views.alerts(
            self.db,
            now_utc(),
            query_choice(request, "status", ALERT_STATUSES),
            query_text(request, "province"),
            query_choice(request, "kind", KINDS),
            None if silenced is None else silenced == "true",
        )

    @api("GET", "/api/v1/silences", allow=STAFF)
    def list_silences(self, request: Request) -> dict[str, Any]:
        state = query_choice(request, "state", SILENCE_STATES)
        return views.silences(self.db, now_utc(), state)

    @api("POST", "/api/v1/silences", allow=CENTRAL)
    def create_silence(self, request: Request) -> tuple[int, dict[str, Any]]:
        """``{"province": "80", "kind": "province_lagging", "ends_at":
        "2017-01-31T00:00:00+07:00", "comment": "year-end close", "created_by": "lan"}``"""
        now = now_utc()
        s = commands.add_silence(self.db, _body(request), now, self._by())
        return 201, views.silence_json(s, now, 0)

    @api("GET", "/api/v1/silences/<sid>", allow=STAFF)
    def get_silence(self, request: Request, sid: str) -> dict[str, Any]:
        """A silence and everything it held back (alert, episode, recipient)."""
        found = views.silence_detail(self.db, sid, now_utc()) if "\x00" not in sid else None
        if found is None:
            raise Refused("not_found", f"no silence {sid}")
        return found

    @api("DELETE", "/api/v1/silences/<sid>", allow=CENTRAL)
    def expire_silence(self, request: Request, sid: str) -> dict[str, Any]:
        """Ends the silence now (kept, as expired); what still fires is told at once."""
        _known(sid)
        now = now_utc()
        return views.silence_json(commands.expire_silence(self.db, sid, now, self._by()), now)

    def _by(self) -> Acting:
        """The caller, whose changes go into the audit trail under the token subject."""
        return self.audit.acting(self.caller.sub)

    # Deliveries and digests -------------------------------------------------------------

    @api("GET", "/api/v1/deliveries", allow=STAFF)
    def list_deliveries(self, request: Request) -> dict[str, Any]:
        """Every email: its key, Message-ID, status, attempts and last error."""
        return views.deliveries(
            self.db,
            query_choice(request, "status", DELIVERY_STATUSES),
            query_choice(request, "kind", DELIVERY_KINDS),
            query_text(request, "recipient_id"),
            query_int(request, "limit", 100, 1, 1000) or 100,
            query_int(request, "offset", 0, 0, 10_000_000) or 0,
        )

    @api("POST", "/api/v1/digests", allow=CENTRAL | {SYSTEM})
    def send_digests(self, request: Request) -> tuple[int, dict[str, Any]]:
        """Queue the day's digests now, e.g. ``{"on": "2016-07-01"}`` (default: today, UTC+7)."""
        body = _body(request, default={})
        now = now_utc()
        try:
            today = now.astimezone(VIETNAM_TIME).date().isoformat()
            on = date.fromisoformat(body.get("on") or today)
        except (TypeError, ValueError, AttributeError):
            raise Refused("bad_query", "on must be a date YYYY-MM-DD") from None
        queued = daily_digest.queue_digests(self.db, self.mail, now, on=on)
        return 202, {"on": on.isoformat(), "queued": queued}


def _body(request: Request, default: Any = None) -> Any:
    if not request.get_data() and default is not None:
        return default
    body = request.get_json(silent=True, force=True)
    if body is None:
        raise Refused("not_json", "the body must be a JSON object")
    if not isinstance(body, dict):
        raise Refused("not_json", "the body must be a JSON object")
    return body


def _known(identifier: str) -> None:
    if "\x00" in identifier:
        raise Refused("not_found", f"no such id {identifier!r}")
