"""The workspace's pure parts: filters, figures, exports, the session cookie, claim mapping and
the links alert emails carry to it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from werkzeug.wrappers import Response

from workspace.adapters.oidc import claims_to_person
from workspace.adapters.session import COOKIE, Session, SessionCookie
from workspace.config import WorkspaceSettings
from workspace.domain.export import Column, Table, neutralise
from workspace.domain.figures import cumulative_by_month, region_totals
from workspace.domain.filters import FilterError, expected_share, month_ends, read_filters
from workspace.errors import Forbidden
from workspace.handlers.signin import safe_next
from workspace.views.exports import csv_bytes, xlsx_bytes
from workspace.views.render import cell

TODAY = date(2026, 11, 29)


def test_filters_default_to_2016_and_the_year_end_and_name_a_bad_value():
    f = read_filters({}, TODAY)
    assert (f.year, f.fund, f.as_of, f.region) == (2016, None, date(2016, 12, 31), None)
    f = read_filters({"year": "2026", "fund": "local", "region": "southeast"}, TODAY)
    assert f.as_of == TODAY and f.query == {
        "year": "2026",
        "as_of": "2026-11-29",
        "source_fund": "local",
    }
    bad = [({"year": "x"}, "year"), ({"fund": "both"}, "fund"), ({"as_of": "1/2"}, "as_of")]
    for args, word in bad:
        with pytest.raises(FilterError, match=word):
            read_filters(args, TODAY)


def test_the_expected_curve_is_interpolated_between_its_points():
    curve = "03-31:0.10,06-30:0.30,09-30:0.60,12-31:0.90"
    assert expected_share(curve, date(2016, 6, 30)) == pytest.approx(0.30)
    assert expected_share(curve, date(2016, 12, 31)) == pytest.approx(0.90)
    assert 0.10 < expected_share(curve, date(2016, 5, 15)) < 0.30
    assert month_ends(2016)[1] == date(2016, 2, 29)


def test_totals_by_region_are_sums_of_dong_not_averages_of_rates():
    rows = [
        {"province": "74", "region": "southeast", "allocated_vnd": 100, "disbursed_vnd": 50},
        {"province": "75", "region": "southeast", "allocated_vnd": 300, "disbursed_vnd": 30},
        {"province": "92", "region": "mekong_delta", "allocated_vnd": 0, "disbursed_vnd": 0},
    ]
    totals = {t["region"]: t for t in region_totals(rows)}
    assert totals["southeast"]["disbursed_vnd"] == 80 and totals["southeast"]["provinces"] == 2
    assert totals["southeast"]["rate"] == pytest.approx(80 / 400)
    assert totals["mekong_delta"]["rate"] is None
    assert cumulative_by_month([("2016-03-20", 5), ("2016-01-02", 1), ("2015-12-01", 9)], 2016)[
        :3
    ] == [1, 1, 6]


TABLE = Table(
    "t",
    [Column("name", "Tên", "Name"), Column("amount_vnd", "Số tiền (đồng)", "Amount", "vnd")],
    [{"name": '=HYPERLINK("http://x")', "amount_vnd": 150_000_000}, {"name": "Long An"}],
)


def test_exports_have_vietnamese_headers_integer_dong_and_no_formulas():
    assert neutralise("+1") == "'+1" and neutralise("@x") == "'@x" and neutralise("ok") == "ok"
    text = csv_bytes(TABLE).decode("utf-8-sig")
    assert text.splitlines()[0] == "Tên,Số tiền (đồng)"
    assert "150000000" in text and "'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(xlsx_bytes(TABLE))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Tên", "Số tiền (đồng)")
    assert rows[1] == ('\'=HYPERLINK("http://x")', 150_000_000)
    assert sheet["A2"].data_type == "s" and isinstance(rows[1][1], int)


def test_cells_read_the_vietnamese_way_by_default_and_the_english_way_on_the_switch():
    money, rate = Column("a", "", "", "vnd"), Column("r", "", "", "rate")
    day = Column("d", "", "", "date")
    assert cell(money, 150_000_000, "vi") == "150.000.000 ₫"
    assert cell(money, 150_000_000, "en") == "150,000,000 VND"
    assert cell(rate, 0.3315, "vi") == "33,2%"
    assert cell(day, "2016-06-30", "vi") == "30/06/2016"
    assert cell(money, None, "vi") == "—"


def test_the_session_cookie_is_signed_httponly_and_samesite_and_refuses_a_forged_one():
    cookie = SessionCookie("s" * 32, 3600, secure=True)
    response = cookie.store(Response(), Session(sub="a", role="finance", token="t"))
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header
    value = header.split(";")[0].split("=", 1)[1]
    assert cookie.load(value).role == "finance"
    forged = SessionCookie("another-secret-of-32-characters!", 3600, False).load(value)
    assert forged.fresh and not forged.signed_in
    assert COOKIE == "gf_session"


def test_claims_map_to_a_role_and_provinces_as_configured():
    cfg = WorkspaceSettings(oidc_role_claim="roles", oidc_provinces_claim="tinh")
    person = claims_to_person({"sub": "x", "roles": ["grantflow-province"], "tinh": "74,80"}, cfg)
    assert (person.role, person.provinces) == ("province_officer", ["74", "80"])
    assert claims_to_person({"sub": "y", "roles": "grantflow-central"}, cfg).role == (
        "central_officer"
    )
    with pytest.raises(Forbidden):
        claims_to_person({"sub": "z", "roles": ["grantflow-province"]}, cfg)  # no province
    with pytest.raises(Forbidden):
        claims_to_person({"sub": "z", "roles": ["other"]}, cfg)


def test_after_sign_in_only_a_path_of_this_site_is_followed():
    assert safe_next("/provinces/80?year=2016") == "/provinces/80?year=2016"
    for bad in ("https://evil.example/", "//evil.example", "javascript:alert(1)", None):
        assert safe_next(bad) == "/overview"


def test_alert_emails_link_to_the_workspace_screen_of_their_province_or_proposal():
    from notifications.domain.links import workspace_link

    base = "https://grantflow.example.vn"
    assert workspace_link(base, "80", 2016, "national", None, date(2016, 6, 30)) == (
        base + "/provinces/80?year=2016&fund=national&as_of=2016-06-30"
    )
    assert workspace_link(base, "80", 2016, "local", "KC80/2016/3") == (
        base + "/proposals/KC80/2016/3"
    )
    assert (
        workspace_link(base, on=date(2016, 7, 1)) == base + "/overview?year=2016&as_of=2016-07-01"
    )


def test_every_table_of_words_yaml_has_its_columns_in_both_languages():
    from workspace.views.i18n import _data, columns, region_name, word

    data = _data()
    for key, pair in data["words"].items():
        assert isinstance(key, str) and len(pair) == 2 and all(isinstance(w, str) for w in pair)
    for spec in data["tables"]:
        found = columns(spec)
        assert found and all(c.vi and c.en and isinstance(c.key, str) for c in found), spec
    assert columns("ledger")[0].key == "on"  # YAML would read a bare on as true
    assert word("overview", "en") == "Overview" and word("overview", "vi") == "Tổng quan"
    assert region_name("mekong_delta", "vi") == "Đồng bằng sông Cửu Long"
    assert region_name("southeast", "en") == "Southeast" and region_name(None, "vi") is None


class FakeApis:
    """Answers the province page's calls as the services would, and remembers them."""

    def __init__(self) -> None:
        self.rates_asked: list[str] = []

    def get(self, service: str, path: str, token: str, **params):
        if path == "/api/v1/disbursement-rates":
            self.rates_asked.append(params["as_of"])
            paid = 100 * int(params["as_of"][5:7])
            return {"items": [{"province": "80", "allocated_vnd": 1000, "disbursed_vnd": paid}]}
        if path == "/api/v1/warnings":
            return {"current": []}
        return {"items": [], "total": 0}


def test_a_province_page_shows_disbursement_up_to_its_as_of_date_and_expectation_all_year():
    from workspace.handlers.province import province_page

    apis = FakeApis()
    session = Session(role="finance", token="t")
    f = read_filters({"year": "2016", "as_of": "2016-06-15"}, TODAY)
    page = province_page(apis, session, "80", f, "vi")
    assert apis.rates_asked == [
        "2016-01-31",
        "2016-02-29",
        "2016-03-31",
        "2016-04-30",
        "2016-05-31",
        "2016-06-15",
    ]
    months = page["tables"]["months"].rows
    assert [m["disbursed_vnd"] for m in months] == [100, 200, 300, 400, 500, 600] + [None] * 6
    assert months[-1]["expected_vnd"] == 900  # 90% of the plan in force on 15/06
