"""A batch that clashed with another transaction (a deadlock, a serialization failure) is
applied again whole, at once: never sent to the delay queues or the dead letters for it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import exc as db

from grantflow.errors import is_conflict, is_data_error
from grantflow.ingest import dispositions
from grantflow.outcomes import Applied, NotApplied


def _failure(pgcode: str, kind: type[db.DBAPIError] = db.OperationalError) -> db.DBAPIError:
    return kind("UPDATE ...", {}, SimpleNamespace(pgcode=pgcode))


def test_deadlocks_and_serialization_failures_are_conflicts_and_nothing_else_is():
    assert is_conflict(_failure("40P01"))  # deadlock_detected
    assert is_conflict(_failure("40001"))  # serialization_failure
    assert not is_conflict(_failure("57P01"))  # admin_shutdown: the server is going
    assert not is_conflict(_failure("23505", db.IntegrityError))
    assert not is_conflict(ValueError("40P01"))
    assert not is_data_error(_failure("40P01"))


@pytest.fixture
def ingest(monkeypatch):
    monkeypatch.setattr(dispositions.eventlet, "sleep", lambda _s: None)
    return SimpleNamespace()


def test_a_batch_that_deadlocked_is_applied_again_whole(ingest, monkeypatch):
    tries: list[list[str]] = []

    def apply(_ingest, events):
        tries.append(list(events))
        if len(tries) < 3:
            return None, _failure("40P01")
        return [Applied() for _ in events], None

    monkeypatch.setattr(dispositions, "apply_in_worker", apply)
    outcomes = dispositions.applied_apart(ingest, ["a", "b", "c"])
    assert tries == [["a", "b", "c"]] * 3
    assert outcomes == [Applied()] * 3


def test_a_batch_that_keeps_deadlocking_is_retried_later_not_dead_lettered(ingest, monkeypatch):
    tries = []

    def apply(_ingest, events):
        tries.append(events)
        return None, _failure("40001")

    monkeypatch.setattr(dispositions, "apply_in_worker", apply)
    outcomes = dispositions.applied_apart(ingest, ["a", "b"])
    assert len(tries) == dispositions.CONFLICT_ATTEMPTS
    assert all(isinstance(o, NotApplied) and o.retryable for o in outcomes)
