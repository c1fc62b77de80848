"""The body and path helpers of `grantflow.http`: an entrypoint validates with them and never
builds an error itself."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from grantflow.auth import Principal
from grantflow.errors import Refused
from grantflow.http import body_date, body_int, json_object, query_year, visible_one

TODAY = date(2016, 6, 30)


def posted(data: bytes, content_type: str = "application/json") -> Request:
    return Request(
        EnvironBuilder(method="POST", data=data, content_type=content_type).get_environ()
    )


def code_of(call: Any) -> str:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.code


def test_a_json_body_is_an_object_or_nothing() -> None:
    assert json_object(posted(b'{"as_of": "2016-11-01"}')) == {"as_of": "2016-11-01"}
    assert json_object(posted(b"")) == {}
    assert json_object(posted(b"  \n")) == {}
    assert json_object(posted(b"{oops", "text/plain")) == {}  # read only as application/json
    assert code_of(lambda: json_object(posted(b"{oops"))) == "not_json"
    assert code_of(lambda: json_object(posted(b"[1]"))) == "bad_query"
    assert code_of(lambda: json_object(posted(b"null"))) == "bad_query"


def test_a_body_date_is_a_day_or_the_default() -> None:
    assert body_date({"as_of": "2016-11-01"}, "as_of", TODAY) == date(2016, 11, 1)
    assert body_date({}, "as_of", TODAY) == TODAY
    assert body_date({"as_of": None}, "as_of", TODAY) == TODAY
    assert body_date({"as_of": ""}, "as_of", TODAY) == TODAY
    for wrong in ("2016-13-01", "soon", 20161101, ["2016-11-01"]):
        assert code_of(lambda w=wrong: body_date({"as_of": w}, "as_of", TODAY)) == "bad_query"


def test_a_body_integer_is_a_whole_number_in_range_not_a_boolean() -> None:
    assert body_int({}, "n", 20, 0, 500) == 20
    assert body_int({"n": 0}, "n", 20, 0, 500) == 0
    for wrong in (True, 1.5, "3", 501, -1, None):
        assert code_of(lambda w=wrong: body_int({"n": w}, "n", 20, 0, 500)) == "bad_query"


def test_the_year_is_required_and_in_range() -> None:
    def asked(query: str) -> int:
        return query_year(Request(EnvironBuilder(query_string=query).get_environ()))

    assert asked("year=2016") == 2016
    assert code_of(lambda: asked("")) == "bad_query"
    assert code_of(lambda: asked("year=1999")) == "bad_query"


def test_a_path_id_is_found_seen_or_not_found_alike() -> None:
    rows = {"P-74": {"province": "74"}, "P-80": {"province": "80"}}
    lookups: list[str] = []

    def lookup(identifier: str) -> dict[str, Any] | None:
        lookups.append(identifier)
        return rows.get(identifier)

    province_74 = Principal(sub="u", role="province_officer", provinces=frozenset({"74"}))
    assert visible_one(province_74, lookup, "P-74", "no P-74") == {"province": "74"}
    for unseen in ("P-80", "P-99", "P\x0074"):
        assert code_of(lambda u=unseen: visible_one(province_74, lookup, u, "no")) == "not_found"
    assert "P\x0074" not in lookups  # PostgreSQL refuses a NUL: never asked
