"""What a service's `bootstrap.py` gives its providers is what they use: the relay, the audit
trail and notifications' mailroom hold the service's own `db`, bound once per container, so
they share its engine and none has to search the container for it."""

from __future__ import annotations

from typing import Any

import pytest
from nameko.containers import ServiceContainer

from grantflow.audit import AuditTrail
from grantflow.db import Database
from grantflow_tools.registry import SERVICES


def container_of(name: str) -> ServiceContainer:
    return ServiceContainer(SERVICES[name].load(), {})  # binds; connects to nothing


def given_databases(container: ServiceContainer) -> dict[str, Any]:
    """{provider's attribute name: the database it was given} of every provider given one."""
    return {
        d.attr_name: d.database
        for d in container.dependencies
        if isinstance(getattr(d, "database", None), Database)
    }


@pytest.mark.parametrize("name", [n for n in SERVICES if n != "workspace"])
def test_the_providers_given_the_db_hold_the_services_own_bound_instance(name: str) -> None:
    container = container_of(name)
    (db,) = [d for d in container.dependencies if isinstance(d, Database)]
    given = given_databases(container)
    assert "audit" in given, f"{name}: its audit trail was given no database"
    assert all(database is db for database in given.values()), given
    assert db.attr_name == "db" and db.is_bound()
    assert [e for e in container.extensions if isinstance(e, Database)] == [db]


def test_notifications_wires_its_mailroom_and_audit_trail_to_its_db() -> None:
    container = container_of("notifications")
    assert set(given_databases(container)) == {"mail", "audit"}
    assert AuditTrail.of(container) is next(
        d for d in container.dependencies if isinstance(d, AuditTrail)
    )


def test_two_containers_of_one_service_have_a_database_each() -> None:
    first, second = container_of("proposals"), container_of("proposals")
    ours = [next(d for d in c.dependencies if isinstance(d, Database)) for c in (first, second)]
    assert ours[0] is not ours[1]
    assert given_databases(first)["relay"] is ours[0]
    assert given_databases(second)["relay"] is ours[1]
