"""The machine-readable contract documents are valid, complete and agree with the code.

contracts/openapi.yaml (HTTP), contracts/asyncapi.yaml (events), the JSON Schemas under
contracts/events and the examples under contracts/examples, read by the production parser.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from jsonschema import Draft202012Validator

from grantflow.contract import LIFECYCLE_TYPES, Contract
from grantflow.errors import Refused

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
EVENTS = CONTRACTS / "events"
EXAMPLES = CONTRACTS / "examples"
INVALID = EXAMPLES / "invalid"
LIFECYCLE_RULES = ROOT / "services/proposals/proposals/domain/lifecycle.py"
DISBURSEMENT_RULES = ROOT / "services/disbursement/disbursement/domain/rules.py"
DISBURSEMENT_HANDLERS = ROOT / "services/disbursement/disbursement/handlers.py"

# The services with HTTP routes, by the name their operations carry in `x-service`.
SERVICES = {
    "proposals": "proposals.service:ProposalsService",
    "disbursement": "disbursement.service:DisbursementService",
    "reporting": "reporting.service:ReportingService",
    "registry": "registry.service:RegistryService",
}

# What the disbursement service announces (issue 3, "Events out").
DISBURSEMENT_EVENTS = frozenset(
    {
        "plan_approved",
        "commitment_recorded",
        "disbursement_recorded",
        "settlement_recorded",
        "repayment_recorded",
        "tranche_overdue",
        "repayment_overdue",
    }
)

SCHEMAS = sorted(EVENTS.glob("*.schema.json"))
VALID_EXAMPLES = sorted(EXAMPLES.glob("*.json"))

# Every file in contracts/examples/invalid, with the code the production parser must give.
INVALID_EXAMPLES: dict[str, str] = {
    "contract.signed__empty_tranches.json": "schema_violation",
    "disbursement.made__amount_as_string.json": "schema_violation",
    "disbursement.made__float_amount.json": "amount_not_integer",
    "plan.approved__province_as_number.json": "schema_violation",
    "plan.approved__wrong_type_const.json": "unknown_type",
    "proposal.accepted__impossible_date.json": "schema_violation",
    "proposal.appraised__unknown_data_field.json": "schema_violation",
    "proposal.approved__time_without_offset.json": "not_cloudevent",
    "proposal.rejected__bad_extension_name.json": "not_cloudevent",
    "proposal.submitted__missing_title.json": "schema_violation",
    "proposal.submitted__unknown_activity.json": "schema_violation",
    "proposal_settled__float_settled_vnd.json": "amount_not_integer",
    "proposal_submitted__missing_version.json": "schema_violation",
}


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract(CONTRACTS)


def load_yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load((CONTRACTS / name).read_text(encoding="utf-8"))


def refs(node: Any) -> Iterator[str]:
    """Every `$ref` value anywhere in a parsed document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def file_refs(document: dict[str, Any]) -> list[str]:
    """The `$ref`s (and OpenAPI `externalValue`s) that point into another file."""
    found = [r.split("#", 1)[0] for r in refs(document) if not r.startswith("#")]
    return sorted(set(found))


def domain_event_names() -> set[str]:
    """The domain event names the lifecycle rules announce (third argument of `_move`)."""
    tree = ast.parse(LIFECYCLE_RULES.read_text(encoding="utf-8"))
    return {
        node.args[2].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_move"
        and isinstance(node.args[2], ast.Constant)
    }


# --- OpenAPI -------------------------------------------------------------------------------


def test_the_openapi_document_is_valid_openapi_3_1():
    from openapi_spec_validator import validate

    spec = load_yaml("openapi.yaml")
    assert spec["openapi"] == "3.1.0"
    validate(spec, base_uri=(CONTRACTS / "openapi.yaml").as_uri())


def test_every_file_the_openapi_document_refers_to_exists():
    spec = load_yaml("openapi.yaml")
    targets = file_refs(spec)
    examples = [
        example["externalValue"]
        for media in _media_types(spec)
        for example in media.get("examples", {}).values()
        if "externalValue" in example
    ]
    assert targets, "the request body schema should be the CloudEvent envelope schema"
    for target in [*targets, *examples]:
        assert (CONTRACTS / target).is_file(), f"openapi.yaml refers to missing {target}"


def _media_types(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for _, _, operation in operations(spec):
        body = operation.get("requestBody", {})
        yield from body.get("content", {}).values()


# The keys of a path item that are operations; the others (`parameters`, `servers`,
# `summary`, `description`) apply to every operation of the path.
METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every operation of the document."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def served_by(operation: dict[str, Any]) -> list[str]:
    """The services that serve an operation: `x-served-by` when shared, else `x-service`."""
    return operation.get("x-served-by", [operation["x-service"]])


def http_routes(service_cls: type) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every HTTP entrypoint of a nameko service class."""
    from grantflow.http import ApiHandler

    served = set()
    for _, member in inspect.getmembers(service_cls):
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            if isinstance(entrypoint, ApiHandler):
                path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", entrypoint.url)
                served.add((entrypoint.method.lower(), path))
    return served


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_openapi_document_describes_every_http_route_of_each_service_and_no_more(service):
    from grantflow_tools.registry import SERVICES as REGISTERED

    assert REGISTERED[service].cls_path == SERVICES[service]
    served = http_routes(REGISTERED[service].load())
    documented = {
        (method, path)
        for path, method, operation in operations(load_yaml("openapi.yaml"))
        if service in served_by(operation)
    }
    assert served, f"{service} serves no HTTP route?"
    assert served == documented


def test_every_operation_names_the_servers_of_the_services_that_serve_it():
    from grantflow.config import SERVICE_PORTS

    spec = load_yaml("openapi.yaml")
    top = {s["url"] for s in spec["servers"]}
    for path, method, operation in operations(spec):
        expected = {f"http://localhost:{SERVICE_PORTS[name]}" for name in served_by(operation)}
        urls = {s["url"] for s in operation["servers"]}
        assert urls == expected, f"{method} {path}"
        assert urls <= top, f"{method} {path}"


def test_every_openapi_operation_names_its_service_by_tag_and_extension():
    spec = load_yaml("openapi.yaml")
    tags = {t["name"] for t in spec["tags"]}
    assert set(SERVICES) <= tags
    for path, method, operation in operations(spec):
        assert operation["x-service"] in tags, f"{method} {path}"
        assert operation["x-service"] in served_by(operation), f"{method} {path}"
        assert set(served_by(operation)) <= tags, f"{method} {path}"
        assert operation["tags"] == served_by(operation), f"{method} {path}"


def test_the_region_values_of_the_openapi_document_are_the_regions_the_service_accepts():
    from grantflow.reference.regions import region_names

    spec = load_yaml("openapi.yaml")
    assert set(spec["components"]["schemas"]["Region"]["enum"]) == region_names()


@pytest.mark.parametrize(
    ("component", "event"),
    [("TrancheOverdueData", "tranche_overdue"), ("RepaymentOverdueData", "repayment_overdue")],
)
def test_the_overdue_data_the_openapi_document_shows_is_that_of_the_event_schema(component, event):
    """POST /api/v1/overdue-evaluations returns the events' `data`: the same fields."""
    documented = load_yaml("openapi.yaml")["components"]["schemas"][component]
    schema = json.loads((EVENTS / f"{event}.schema.json").read_text(encoding="utf-8"))
    data = schema["$defs"]["data"]
    assert documented["required"] == data["required"]
    assert set(documented["properties"]) == set(data["properties"])
    assert documented["additionalProperties"] is data["additionalProperties"] is False


def test_every_error_status_the_openapi_document_lists_uses_the_error_body():
    spec = load_yaml("openapi.yaml")
    error = "#/components/schemas/Error"
    for path, method, operation in operations(spec):
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")) or path.startswith("/health"):
                continue
            if operation["x-service"] == "workspace":  # pages answer errors as HTML pages
                continue
            if "$ref" in response:
                response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": error}, f"{method} {path} {status}"


def test_every_error_code_of_the_status_table_is_named_in_the_openapi_document():
    from grantflow.errors import HTTP_STATUS

    text = (CONTRACTS / "openapi.yaml").read_text(encoding="utf-8")
    missing = [code for code in HTTP_STATUS if f"`{code}`" not in text]
    assert not missing


# --- AsyncAPI ------------------------------------------------------------------------------


def test_the_asyncapi_document_parses_and_is_asyncapi_3_0_0():
    spec = load_yaml("asyncapi.yaml")
    assert spec["asyncapi"] == "3.0.0"
    assert spec["channels"] and spec["operations"]


def test_every_file_the_asyncapi_document_refers_to_exists():
    targets = file_refs(load_yaml("asyncapi.yaml"))
    assert targets
    missing = [t for t in targets if not (CONTRACTS / t).is_file()]
    assert not missing


def test_every_internal_reference_of_the_asyncapi_document_resolves():
    spec = load_yaml("asyncapi.yaml")
    for ref in refs(spec):
        if not ref.startswith("#/"):
            continue
        node: Any = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
            node = node[part]


# --- JSON Schemas and examples -------------------------------------------------------------


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_event_schema_is_a_valid_draft_2020_12_schema(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith("/" + path.name)


@pytest.mark.parametrize("path", VALID_EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_accepted_by_the_production_parser(contract, path):
    envelope = contract.parse(path.read_bytes())
    assert envelope.type == path.name.removesuffix(".json")


@pytest.mark.parametrize("name", sorted(INVALID_EXAMPLES))
def test_every_invalid_example_is_refused_with_its_code(contract, name):
    with pytest.raises(Refused) as refused:
        contract.parse((INVALID / name).read_bytes())
    assert refused.value.code == INVALID_EXAMPLES[name]
    assert refused.value.detail


@pytest.mark.parametrize("path", VALID_EXAMPLES, ids=lambda p: p.name)
def test_an_event_read_from_its_publishers_log_gives_the_envelope_a_body_gives(contract, path):
    """`from_log` (a rebuild) takes the decoded event; what it gives equals `parse`'s."""
    assert contract.from_log(orjson.loads(path.read_bytes())) == contract.parse(path.read_bytes())


@pytest.mark.parametrize("name", sorted(INVALID_EXAMPLES))
def test_an_invalid_event_read_from_a_log_is_refused_with_its_code(contract, name):
    """The lighter check of a rebuild still refuses what the parser refuses: float money,
    schema violations, a bad envelope."""
    with pytest.raises(Refused) as refused:
        contract.from_log(orjson.loads((INVALID / name).read_bytes()))
    assert refused.value.code == INVALID_EXAMPLES[name]


def test_the_table_of_invalid_examples_covers_every_file_in_the_directory():
    assert {p.name for p in INVALID.glob("*.json")} == set(INVALID_EXAMPLES)


@pytest.mark.parametrize("event_type", LIFECYCLE_TYPES)
def test_every_lifecycle_type_has_a_schema_and_an_example(contract, event_type):
    assert (EVENTS / f"{event_type}.schema.json").is_file()
    assert (EXAMPLES / f"{event_type}.json").is_file()
    assert event_type in contract.types


def test_the_lifecycle_rules_announce_nine_domain_events():
    from proposals.domain.lifecycle import RULES

    names = domain_event_names()
    assert len(names) == len(RULES) == 9
    assert names == {t.replace(".", "_") for t in RULES}


@pytest.mark.parametrize("name", sorted(domain_event_names()))
def test_every_domain_event_the_proposals_service_announces_has_a_schema_and_an_example(
    contract, name
):
    assert (EVENTS / f"{name}.schema.json").is_file()
    assert (EXAMPLES / f"{name}.json").is_file()
    assert name in contract.types


def test_the_domain_events_of_a_full_lifecycle_follow_their_schemas(contract):
    """What `handlers.announce` builds is accepted by the schema of its own name."""
    from proposals.domain.lifecycle import RULES
    from proposals.handlers import announce
    from tests.support import events

    def announced(stream: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
        current = None
        for raw in stream:
            cause = contract.parse(json.dumps(raw))
            change = RULES[cause.type](current, cause.data, cause.on)
            current = change.proposal
            yield change.event, announce(change, cause)

    streams = [
        events.full_lifecycle("DOC-1"),
        [events.submitted("DOC-2"), events.rejected("DOC-2")],
        [events.submitted("DOC-3"), events.cancelled("DOC-3")],
    ]
    seen = set()
    for stream in streams:
        for name, domain_event in announced(stream):
            parsed = contract.parse(json.dumps(domain_event))
            assert parsed.type == name
            assert parsed.version == domain_event["version"]
            seen.add(name)
    assert seen == domain_event_names()


def disbursement_event_names() -> set[str]:
    """What the disbursement code announces: the event name of each `Change(...)` of the
    rules, and the notice kinds the overdue evaluation raises (`("..._overdue", pid, i)`)."""
    names = set()
    for node in ast.walk(ast.parse(DISBURSEMENT_RULES.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Change"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            names.add(node.args[1].value)
    for node in ast.walk(ast.parse(DISBURSEMENT_HANDLERS.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Tuple)
            and len(node.elts) == 3
            and isinstance(node.elts[0], ast.Constant)
            and str(node.elts[0].value).endswith("_overdue")
        ):
            names.add(node.elts[0].value)
    return names


def test_the_disbursement_service_announces_the_seven_events_of_its_issue():
    assert disbursement_event_names() == DISBURSEMENT_EVENTS


@pytest.mark.parametrize("name", sorted(DISBURSEMENT_EVENTS))
def test_every_domain_event_the_disbursement_service_announces_has_a_schema_and_an_example(
    contract, name
):
    assert (EVENTS / f"{name}.schema.json").is_file()
    assert (EXAMPLES / f"{name}.json").is_file()
    assert name in contract.types
    assert contract.parse((EXAMPLES / f"{name}.json").read_bytes()).type == name


def test_the_domain_events_the_disbursement_rules_build_follow_their_schemas(contract):
    """What the rules and the overdue evaluation put in `data` is accepted by the schema of
    the event's name, once wrapped as `handlers.apply_events` and `raise_overdue` wrap it."""
    from datetime import date

    from disbursement import handlers
    from disbursement.domain import rules
    from grantflow.contract import new_event
    from tests.support import money

    def d(event: dict[str, Any]) -> dict[str, Any]:
        return event["data"]

    on = date(2016, 1, 15)
    plan = rules.approve_plan(None, d(money.plan("74", 2016, "national", 10**9)), on, False)
    adjusted = rules.approve_plan(
        plan.aggregate, d(money.plan("74", 2016, "national", 2 * 10**9, True)), on, True
    )
    committed = rules.commit(None, d(money.contract_signed("DOC-1", 150_000_000)))
    advance = rules.pay(committed.aggregate, d(money.payment("DOC-1", 105_000_000)))
    accepted = rules.accept(advance.aggregate, d(money.accepted("DOC-1")))
    final = rules.pay(accepted.aggregate, d(money.payment("DOC-1", 45_000_000, "final")))
    settled = rules.settle(final.aggregate, d(money.settled("DOC-1", 148_500_000, 150_000_000)))
    recoverable = rules.commit(
        None,
        d(money.contract_signed("DOC-2", 300_000_000, repayments=[("2017-06-30", 300_000_000)])),
    )
    repaid = rules.repay(
        recoverable.aggregate, d(money.repayment("DOC-2", 100_000_000, "2017-07-15"))
    )
    changes = [plan, adjusted, committed, advance, final, settled, recoverable, repaid]

    built = [
        new_event(
            c.event,
            handlers.SOURCE,
            c.data,
            subject=c.aggregate.key if c.event == "plan_approved" else c.aggregate.proposal_id,
            version=c.aggregate.version if c.event == "plan_approved" else n + 1,
        )
        for n, c in enumerate(changes)  # the handler numbers a commitment's announcements
        if c.event
    ]
    late = advance.aggregate
    instalments = repaid.aggregate
    built += [
        new_event(
            "tranche_overdue",
            handlers.SOURCE,
            handlers._tranche(late, 1, date(2016, 11, 1)),
            subject=late.proposal_id,
            version=late.version + 1,
        ),
        new_event(
            "repayment_overdue",
            handlers.SOURCE,
            handlers._instalment(instalments, 0, date(2017, 8, 1), 30),
            subject=instalments.proposal_id,
            version=instalments.version + 1,
        ),
    ]
    seen = set()
    for event in built:
        parsed = contract.parse(json.dumps(event))
        assert parsed.type == event["type"]
        assert parsed.version == event["version"]
        seen.add(parsed.type)
    assert seen == DISBURSEMENT_EVENTS


# --- the reporting service's domain events -------------------------------------------------

REPORTING_ANNOUNCE = ROOT / "services/reporting/reporting/handlers/announce.py"

# What the reporting service announces (issue 4, "Schedule-lag evaluation").
REPORTING_EVENTS = frozenset(
    {"province_lagging", "province_recovered", "proposal_overdue", "province_forecast_short"}
)


def reporting_event_names() -> set[str]:
    """The event names announce.py and overdue.py pass to `_event(...)` and `new_event(...)`."""
    names = set()
    sources = [
        REPORTING_ANNOUNCE,
        ROOT / "services/reporting/reporting/adapters/overdue.py",
        ROOT / "services/reporting/reporting/handlers/forecast_announce.py",
    ]
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in sources]
    for node in (n for tree in trees for n in ast.walk(tree)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_event", "new_event")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def test_the_reporting_service_announces_the_three_events_of_its_issue():
    assert reporting_event_names() == REPORTING_EVENTS


@pytest.mark.parametrize("name", sorted(REPORTING_EVENTS))
def test_every_domain_event_the_reporting_service_announces_has_a_schema_and_an_example(
    contract, name
):
    assert (EVENTS / f"{name}.schema.json").is_file()
    assert (EXAMPLES / f"{name}.json").is_file()
    assert name in contract.types
    assert contract.parse((EXAMPLES / f"{name}.json").read_bytes()).type == name


def _two_provinces(conn: Any) -> None:
    """Long An (80) critical on 30/06 and recovered by 30/09; Hà Nội (01) at watch, then
    warning; two proposals overdue in June and one of them for a second reason in September."""
    from tests.support import readmodels as rm

    rm.plan(conn, "80", 1_000_000_000)
    rm.proposal(conn, "LA/2016/4", approved="2016-04-01", closed="2016-08-01")
    rm.proposal(conn, "LA/2016/5", approved="2016-01-20", signed="2016-02-01")
    rm.progress(conn, "LA/2016/5", 40, "2016-06-26")
    rm.progress(conn, "LA/2016/5", 70, "2016-09-26", version=2)
    rm.money(conn, "LA/2016/5", "disbursed", 600_000_000, "2016-07-01")
    rm.plan(conn, "01", 1_000_000_000)
    rm.proposal(conn, "CT-9", "01", approved="2016-01-20", signed="2016-02-01")
    rm.progress(conn, "CT-9", 5, "2016-06-20")
    rm.money(conn, "CT-9", "disbursed", 250_000_000, "2016-03-01", province="01")
    rm.money(conn, "CT-9", "disbursed", 150_000_000, "2016-08-01", province="01")
    for n in range(3):  # in appraisal: counted, never lagging
        rm.proposal(conn, f"HN-{n}", "01")
    # 2015, settled: a year for the forecast to learn from (and no lag of its own)
    rm.proposal(conn, "OLD-1", year=2015, submitted="2015-01-10", approved="2015-02-01",
                signed="2015-03-01", settled="2015-12-20")  # fmt: skip
    rm.money(conn, "OLD-1", "disbursed", 100_000_000, "2015-06-01", year=2015)


def test_the_domain_events_the_lag_evaluation_announces_follow_their_schemas(contract):
    """What `announce.run` announces from read models on SQLite is accepted by the schema of
    its name: a province entering a level, changing level, recovering, and overdue proposals."""
    from datetime import date

    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from reporting.adapters.tables import metadata, outbox
    from reporting.domain.lag import LagRules
    from reporting.handlers import announce

    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        _two_provinces(conn)
    announced = []
    with Session(engine) as session:
        for as_of in (date(2016, 6, 30), date(2016, 9, 30)):
            announced += announce.run(session, LagRules(), as_of)[1]
        stored = [json.loads(b) for b in session.execute(select(outbox.table.c.body)).scalars()]
    assert [{"type": e["type"], "subject": e["subject"]} for e in stored] == announced

    seen: dict[tuple[str, str], Any] = {}
    for event in stored:
        parsed = contract.parse(json.dumps(event))
        assert parsed.type == event["type"]
        assert parsed.version == event["version"]
        seen[(parsed.type, event["subject"])] = parsed
    assert set(seen) == {
        ("province_lagging", "80:2016:national"),
        ("province_lagging", "01:2016:national"),
        ("province_recovered", "80:2016:national"),
        ("proposal_overdue", "LA/2016/4"),
        ("proposal_overdue", "CT-9"),
        ("province_forecast_short", "80:2016:national"),
        ("province_forecast_short", "01:2016:national"),
    }
    assert {t for t, _ in seen} == REPORTING_EVENTS
    forecasts = [e for e in stored if e["type"] == "province_forecast_short"]
    stored = [e for e in stored if e["type"] != "province_forecast_short"]
    assert len(stored) == 7  # 01 is announced twice (watch, then warning), CT-9 twice
    # Learnt from 2015: short of 80% of the plan on 30/06, announced once each
    assert [(e["subject"], e["version"], e["data"]["years_learnt"]) for e in forecasts] == [
        ("01:2016:national", 1, 1),
        ("80:2016:national", 1, 1),
    ]
    worse = [e for e in stored if e["subject"] == "01:2016:national"]
    assert [(e["version"], e["data"]["level"]) for e in worse] == [(1, "watch"), (2, "warning")]
    assert worse[1]["data"]["previous_level"] == "watch"
    assert [r["proposal_id"] for r in worse[1]["data"]["reasons"]] == ["CT-9", "CT-9"]
    recovered = seen[("province_recovered", "80:2016:national")]
    assert (recovered.version, recovered.data["previous_level"]) == (2, "critical")
    overdue = [
        (e["subject"], e["version"], e["data"]["reason"])
        for e in stored
        if e["type"] == "proposal_overdue"
    ]
    assert overdue == [
        ("CT-9", 1, "progress_behind"),
        ("LA/2016/4", 1, "no_contract_30_days"),
        ("CT-9", 2, "progress_report_missing"),
    ]


def test_the_openapi_document_names_the_reporting_codes_the_code_uses():
    """Levels, reason codes and announced types of the document are those of the code and
    of the event schemas."""
    from reporting.domain.lag import LEVELS, REASONS

    schemas = load_yaml("openapi.yaml")["components"]["schemas"]
    overdue = json.loads((EVENTS / "proposal_overdue.schema.json").read_text(encoding="utf-8"))
    assert schemas["Level"]["enum"] == list(LEVELS)
    assert schemas["LagReasonCode"]["enum"] == list(REASONS)
    assert overdue["$defs"]["data"]["properties"]["reason"]["enum"] == list(REASONS)
    announced = schemas["LagEvaluation"]["properties"]["announced"]["items"]
    assert set(announced["properties"]["type"]["enum"]) == REPORTING_EVENTS


def test_the_evidence_the_openapi_document_shows_is_that_of_the_province_lagging_event():
    """A lag evaluation answers, per province, the evidence `province_lagging` carries."""
    documented = load_yaml("openapi.yaml")["components"]["schemas"]["ProvinceLag"]
    schema = json.loads((EVENTS / "province_lagging.schema.json").read_text(encoding="utf-8"))
    event_fields = set(schema["$defs"]["data"]["properties"])
    # the event adds the day and the level it comes from; the answer lists every province
    assert set(documented["properties"]) == event_fields - {"as_of", "previous_level"}
    assert set(documented["required"]) == set(documented["properties"])


def test_every_api_operation_needs_a_bearer_token_and_documents_401_and_403():
    spec = load_yaml("openapi.yaml")
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    for path, method, operation in operations(spec):
        if path.startswith("/api/"):
            assert operation["security"] == [{"bearerAuth": []}], f"{method} {path}"
            assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"
        else:  # /health/* and /metrics stay open
            assert "security" not in operation and "401" not in operation["responses"]
    assert "security" not in spec  # no global default: each operation says it


# --- what each service consumes, against the AsyncAPI receive operations -------------------


def consumed(service_cls: type) -> set[tuple[str, str]]:
    """(channel address, message name) of everything a service's ingest entrypoints take in:
    each accepted type from its exchange, and the dead letters from their queue."""
    from grantflow.config import settings
    from grantflow.ingest.consumer import DeadLetterIngest, Ingest

    cfg = settings()
    taken = set()
    for _, member in inspect.getmembers(service_cls):
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            if isinstance(entrypoint, DeadLetterIngest):
                taken.add((cfg.dead_letter_queue, "deadLetter"))
            elif isinstance(entrypoint, Ingest):
                exchange = (
                    cfg.events_exchange if entrypoint.from_domain_events else cfg.lifecycle_exchange
                )
                taken |= {(exchange, t) for t in entrypoint.accepted_types}
    return taken


def documented_receipts(spec: dict[str, Any], service: str) -> set[tuple[str, str]]:
    """(channel address, message name) of the `<service>Receives...` receive operations."""
    found = set()
    for key, operation in spec["operations"].items():
        if not key.startswith(f"{service}Receives"):
            continue
        assert operation["action"] == "receive", key
        channel = spec["channels"][operation["channel"]["$ref"].split("/")[-1]]
        for message in operation["messages"]:
            _, _, name = message["$ref"].rpartition("/messages/")
            assert name in channel["messages"], f"{key}: {name} is not a message of its channel"
            found.add((channel["address"], name))
    return found


def test_every_receive_operation_is_named_after_a_registered_service():
    from grantflow_tools.registry import SERVICES as REGISTERED

    spec = load_yaml("asyncapi.yaml")
    for key, operation in spec["operations"].items():
        if operation["action"] == "receive":
            service, _, rest = key.partition("Receives")
            assert service in REGISTERED and rest, key


def test_each_service_receives_in_the_asyncapi_document_exactly_what_its_code_binds():
    """Every type each service's ingest entrypoints bind to (and the dead letters reporting
    keeps) is a message of that service's receive operations, and nothing more."""
    from grantflow_tools.registry import SERVICES as REGISTERED

    spec = load_yaml("asyncapi.yaml")
    for service, entry in REGISTERED.items():
        assert documented_receipts(spec, service) == consumed(entry.load()), service
    assert consumed(REGISTERED["notifications"].load()), "notifications binds nothing?"
