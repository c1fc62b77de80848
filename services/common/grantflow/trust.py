"""Which internal system may send which lifecycle event over AMQP.

`AUTH_ALLOWED_SOURCES` maps each event type to the `source` patterns (fnmatch) it is accepted
from, as a YAML file or the same YAML inline, e.g. `{disbursement.made: ["urn:kbnn:*"]}`;
unset, the packaged `allowed_sources.yaml` applies. A type with no entry is accepted from no
one. An event from another source is dead-lettered with `source_not_allowed`.

`AUTH_SOURCE_USERS` (same forms) binds sources to RabbitMQ users, e.g.
`{"urn:kbnn:*": [state-treasury]}`: when it is set, an event is accepted only if its message
carries the `user_id` property of a user allowed for its source, otherwise it is dead-lettered
with `sender_not_allowed`. RabbitMQ refuses a `user_id` other than the publishing
connection's user, so `source` is no longer only what the sender says about itself.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from grantflow.config import ConfigError, settings
from grantflow.errors import Refused

# Who published a message that a service republished (a retry or a dead letter): the broker
# refuses a foreign user_id, so the republished copy carries the service's own user_id, which
# vouches for this header.
SENDER_HEADER = "x-grantflow-sender"


# Which service emits each domain event on `grantflow.events` (contracts/asyncapi.yaml): a
# domain event is applied only from its own service's source.
DOMAIN_EVENT_SOURCES: dict[str, str] = {
    **dict.fromkeys(
        (
            "proposal_submitted",
            "proposal_appraised",
            "proposal_approved",
            "proposal_rejected",
            "contract_signed",
            "progress_reported",
            "proposal_accepted",
            "proposal_settled",
            "proposal_cancelled",
        ),
        "grantflow/proposals",
    ),
    **dict.fromkeys(
        (
            "plan_approved",
            "commitment_recorded",
            "disbursement_recorded",
            "settlement_recorded",
            "repayment_recorded",
            "tranche_overdue",
            "repayment_overdue",
        ),
        "grantflow/disbursement",
    ),
    **dict.fromkeys(
        (
            "province_lagging",
            "province_recovered",
            "province_forecast_short",
            "proposal_overdue",
        ),
        "grantflow/reporting",
    ),
    **dict.fromkeys(
        (
            "beneficiary_registered",
            "craft_village_recognised",
            "product_awarded",
            "cluster_registered",
            "collaborators_reported",
        ),
        "grantflow/registry",
    ),
}


def emitted_by(service_source: str) -> tuple[str, ...]:
    """The domain events a service emits (its `source`, e.g. "grantflow/proposals"), in the
    order of `DOMAIN_EVENT_SOURCES`."""
    return tuple(t for t, owner in DOMAIN_EVENT_SOURCES.items() if owner == service_source)


def check_domain_event(event_type: str, source: str) -> None:
    """Refused unless `source` is the service that emits `event_type`."""
    owner = DOMAIN_EVENT_SOURCES.get(event_type)
    if source != owner:
        raise Refused(
            "source_not_allowed",
            f"{event_type} is not accepted from {source}; only from {owner or 'no service'}",
        )


class SourcePolicy:
    def __init__(
        self, allowed: dict[str, list[str]], users: dict[str, list[str]] | None = None
    ) -> None:
        self.allowed = allowed
        self.users = users  # source pattern -> RabbitMQ users; None: user_id is not checked

    def check(self, event_type: str, source: str, sender: str | None = None) -> None:
        """Refused unless `source` may send `event_type` and, when sources are bound to
        users, `sender` (the message's validated user_id) may claim `source`."""
        patterns = self.allowed.get(event_type, [])
        if not any(fnmatchcase(source, p) for p in patterns):
            raise Refused(
                "source_not_allowed",
                f"{event_type} is not accepted from {source}; allowed sources: "
                f"{', '.join(patterns) or 'none'} (AUTH_ALLOWED_SOURCES)",
            )
        if self.users is None:
            return
        users = sorted({u for p, us in self.users.items() if fnmatchcase(source, p) for u in us})
        if sender not in users:
            raise Refused(
                "sender_not_allowed",
                f"{source} may be claimed only by the RabbitMQ user(s) "
                f"{', '.join(users) or 'none'} (AUTH_SOURCE_USERS); this message was published "
                + (f"by {sender}" if sender else "without a user_id property"),
            )


def sender_of(message: Any) -> str | None:
    """The RabbitMQ user that published `message` (its `user_id`, which the broker checked);
    for a copy this service republished, the original publisher it recorded."""
    user = message.properties.get("user_id")
    headers = message.headers or {}
    if user is not None and user == connection_user(message.channel) and SENDER_HEADER in headers:
        return str(headers[SENDER_HEADER])
    return None if user is None else str(user)


def vouch(properties: dict[str, Any], headers: dict[str, Any], own_user: str | None) -> None:
    """Before a service republishes a message: the original publisher moves to SENDER_HEADER
    and `user_id` becomes the service's own (the broker would refuse any other)."""
    user = properties.pop("user_id", None)
    if user is None:
        headers.pop(SENDER_HEADER, None)  # nobody vouches for it
        return
    if user != own_user or SENDER_HEADER not in headers:
        headers[SENDER_HEADER] = user
    if own_user:
        properties["user_id"] = own_user


def connection_user(channel: Any) -> str | None:
    """The user a kombu/py-amqp channel's connection logged in as."""
    client = getattr(getattr(channel, "connection", None), "client", None)
    return getattr(client, "userid", None)


def _mapping(text: str, setting: str, what: str) -> dict[str, list[str]]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{setting} is not YAML: {exc}") from None
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(p, str) for p in v)
        for k, v in raw.items()
    ):
        raise ConfigError(f"{setting} must map {what}")
    return raw


def parse(text: str, users: str = "") -> SourcePolicy:
    allowed = _mapping(text, "AUTH_ALLOWED_SOURCES", "each event type to a list of patterns")
    if not users.strip():
        return SourcePolicy(allowed)
    what = "each source pattern to a list of RabbitMQ users"
    return SourcePolicy(allowed, _mapping(users, "AUTH_SOURCE_USERS", what))


def _read(configured: str) -> str:
    """A setting that is a file's path, or the file's YAML inline."""
    if configured and "\n" not in configured and Path(configured).is_file():
        return Path(configured).read_text()
    return configured


@cache
def source_policy() -> SourcePolicy:
    cfg = settings()
    allowed = _read(cfg.auth_allowed_sources.strip())
    if not allowed:
        allowed = files("grantflow").joinpath("allowed_sources.yaml").read_text()
    return parse(allowed, _read(cfg.auth_source_users.strip()))
