"""grantflow.reference: provinces by (code, date), regions, activities, ceilings, advances."""

import unicodedata
from collections import Counter
from datetime import date

import pytest

from grantflow.reference import (
    ACTIVITY_CODES,
    Ceiling,
    activity,
    advance_cap,
    advance_cap_percent,
    carry_forward,
    ceiling_for,
    ceilings_in_force,
    grouping,
    in_region,
    predecessors,
    priority_area_percent,
    province,
    provinces_on,
    region_members,
    successor,
)

BEFORE_MERGER = [date(2008, 8, 1), date(2016, 7, 28), date(2024, 12, 31), date(2025, 6, 30)]
AFTER_MERGER = [date(2025, 7, 1), date(2026, 1, 1), date(2040, 1, 1)]
D2016 = date(2016, 1, 1)
D2026 = date(2026, 1, 1)
GSO_REGIONS = [
    "northern_midlands_mountains",
    "red_river_delta",
    "north_central_coast",
    "central_highlands",
    "southeast",
    "mekong_delta",
]
OLD_CODES = [p.code for p in provinces_on(D2016)]
NEW_CODES = [p.code for p in provinces_on(D2026)]

# --- provinces ---------------------------------------------------------------------------


@pytest.mark.parametrize("on", BEFORE_MERGER)
def test_there_are_exactly_63_units_on_any_day_before_the_2025_merger(on):
    assert len(provinces_on(on)) == 63


@pytest.mark.parametrize("on", AFTER_MERGER)
def test_there_are_exactly_34_units_from_2025_07_01(on):
    units = provinces_on(on)
    assert len(units) == 34
    assert Counter(u.kind for u in units) == {"province": 28, "city": 6}


@pytest.mark.parametrize("on", BEFORE_MERGER + AFTER_MERGER)
def test_codes_are_unique_on_any_date(on):
    codes = [u.code for u in provinces_on(on)]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 2 and code.isdigit() for code in codes)


def test_there_is_no_unit_before_the_63_unit_data_starts():
    assert provinces_on(date(2008, 7, 31)) == []
    assert province("01", date(2008, 7, 31)) is None


def test_the_2025_codes_are_those_of_decision_19_2025():
    decision_19_2025 = "01 04 08 11 12 14 15 19 20 22 24 25 31 33 37 38 40 42 44 46 48 51 52 56"
    decision_19_2025 += " 66 68 75 79 80 82 86 91 92 96"
    assert decision_19_2025.split(" ") == NEW_CODES


def test_every_old_code_maps_to_a_valid_new_code():
    for old in OLD_CODES:
        assert province(successor(old), D2026) is not None, old


def test_every_new_code_has_at_least_one_predecessor_and_the_predecessors_partition_the_63():
    groups = [predecessors(new) for new in NEW_CODES]
    assert all(groups)
    assert sorted(code for group in groups for code in group) == OLD_CODES


def test_a_new_code_is_always_the_code_of_one_of_its_predecessors():
    assert all(new in predecessors(new) for new in NEW_CODES)


def test_binh_duong_maps_to_ho_chi_minh_city_after_the_2025_merger():
    assert successor("74") == "79"
    assert province("79", D2026).name == "Hồ Chí Minh"
    assert predecessors("79") == ["74", "77", "79"]


@pytest.mark.parametrize(
    ("old", "new"),
    [("77", "79"), ("70", "75"), ("72", "80"), ("80", "80"), ("89", "91"), ("64", "52")],
)
def test_merged_provinces_map_to_the_unit_hosting_the_new_centre(old, new):
    assert successor(old) == new


def test_a_code_that_never_existed_has_no_successor():
    with pytest.raises(KeyError):
        successor("03")


def test_code_80_is_long_an_in_2016_and_tay_ninh_in_2026():
    assert province("80", D2016).name == "Long An"
    assert province("80", D2026).name == "Tây Ninh"
    assert province("72", D2026) is None


def test_names_keep_their_vietnamese_diacritics():
    assert province("74", D2016).name == "Bình Dương"
    assert province("66", D2016).name == "Đắk Lắk"
    assert province("77", D2016).name == "Bà Rịa - Vũng Tàu"
    for on in (D2016, D2026):
        assert all(unicodedata.is_normalized("NFC", u.name) for u in provinces_on(on))


def test_thua_thien_hue_became_the_city_of_hue_on_2025_01_01_without_changing_code():
    assert (province("46", date(2024, 12, 31)).name, province("46", D2016).kind) == (
        "Thừa Thiên Huế",
        "province",
    )
    hue = province("46", date(2025, 1, 1))
    assert (hue.name, hue.kind) == ("Huế", "city")
    assert Counter(u.kind for u in provinces_on(D2016))["city"] == 5


def test_carry_forward_follows_the_merger_but_never_guesses_backwards():
    assert carry_forward("74", D2016, D2026) == "79"
    assert carry_forward("74", D2016, D2016) == "74"
    assert carry_forward("80", D2026, D2016) is None


# --- regions -----------------------------------------------------------------------------


@pytest.mark.parametrize("on", [D2016, D2026])
def test_the_six_gso_regions_cover_every_unit_exactly_once(on):
    members = [code for region in GSO_REGIONS for code in region_members(region, on)]
    assert sorted(members) == [u.code for u in provinces_on(on)]


def test_gso_region_sizes_in_2016():
    sizes = [len(region_members(region, D2016)) for region in GSO_REGIONS]
    assert sizes == [14, 11, 14, 5, 6, 13]


def test_south_2016_has_20_members_all_valid_in_2016():
    members = region_members("south_2016", date(2016, 7, 28))
    assert len(members) == 20
    assert all(province(code, date(2016, 7, 28)) is not None for code in members)


def test_south_2016_is_the_southeast_and_the_mekong_delta_plus_lam_dong():
    south = set(region_members("southeast", D2016)) | set(region_members("mekong_delta", D2016))
    assert len(south) == 19
    assert set(region_members("south_2016", D2016)) == south | {"68"}
    assert grouping("south_2016").codes_as_of == date(2016, 7, 28)


def test_south_2016_read_in_2026_gives_the_units_its_members_became():
    assert region_members("south_2016", D2026) == [
        "68",
        "75",
        "79",
        "80",
        "82",
        "86",
        "91",
        "92",
        "96",
    ]


def test_in_region_returns_provinces_for_regions_and_groupings():
    assert [p.name for p in in_region("southeast", D2026)] == [
        "Đồng Nai",
        "Hồ Chí Minh",
        "Tây Ninh",
    ]
    assert len(in_region("south_2016", D2016)) == 20


def test_an_unknown_region_name_raises():
    with pytest.raises(KeyError):
        region_members("south", D2016)


# --- activities --------------------------------------------------------------------------


def test_there_are_the_15_activity_codes_of_decree_45_2012():
    decree_45_2012 = {
        "training", "capacity", "cleaner_production", "demonstration", "machinery",
        "product_selection", "trade_fair", "trade_promotion", "consultancy", "information",
        "linkage", "industrial_cluster", "pollution_treatment", "international",
        "implementation_capacity",
    }  # fmt: skip
    assert decree_45_2012 == ACTIVITY_CODES


def test_activities_have_vietnamese_and_english_names():
    assert activity("demonstration").name_vi == "Mô hình trình diễn kỹ thuật"
    assert all(activity(code).name_en and activity(code).name_vi for code in ACTIVITY_CODES)
    assert activity("nonsense") is None


# --- ceilings ----------------------------------------------------------------------------


def test_the_demonstration_ceiling_is_500_million_on_2017_01_01_and_1_billion_on_2018_05_11():
    assert ceiling_for("demonstration", "national", date(2017, 1, 1)).cap_vnd == 500_000_000
    assert ceiling_for("demonstration", "national", date(2018, 5, 10)).cap_vnd == 500_000_000
    new = ceiling_for("demonstration", "national", date(2018, 5, 11))
    assert (new.cap_vnd, new.rate_percent, new.effective_from) == (
        1_000_000_000,
        30,
        date(2018, 5, 11),
    )
    assert new.source.startswith("28/2018/TT-BTC")


def test_the_machinery_ceiling_rises_from_200_to_300_million_and_others_carry_on():
    assert ceiling_for("machinery", "national", date(2017, 1, 1)).cap_vnd == 200_000_000
    assert ceiling_for("machinery", "national", date(2019, 1, 1)).cap_vnd == 300_000_000
    assert ceiling_for("consultancy", "national", date(2019, 1, 1)).cap_vnd == 35_000_000


def test_limit_for_takes_the_rate_share_rounded_down_up_to_the_cap():
    ceiling = ceiling_for("demonstration", "national", date(2019, 1, 1))
    assert ceiling.limit_for(1_000_000_001) == 300_000_000  # 300,000,000.3 rounded down
    assert ceiling.limit_for(99) == 29
    assert ceiling.limit_for(10_000_000_000) == 1_000_000_000
    assert type(ceiling.limit_for(1_000_000_001)) is int


def test_limit_for_refuses_floats_and_negative_costs():
    ceiling = ceiling_for("demonstration", "national", date(2019, 1, 1))
    with pytest.raises(TypeError):
        ceiling.limit_for(1_000_000_000.0)
    with pytest.raises(ValueError):
        ceiling.limit_for(-1)


def test_limit_for_is_exact_beyond_float_precision():
    ceiling = Ceiling("machinery", "national", "machinery", 30, 10**30, "proposal", D2016, "x")
    assert ceiling.limit_for(10**25 + 10) == 3 * 10**24 + 3


def test_a_ceiling_without_a_rate_is_just_its_cap():
    cluster = ceiling_for("industrial_cluster", "national", D2016)
    assert (cluster.item, cluster.rate_percent) == ("cluster_infrastructure", None)
    assert cluster.limit_for(1) == 3_000_000_000


def test_local_funds_have_no_national_ceiling():
    assert ceiling_for("demonstration", "local", D2016) is None


def test_enterprise_founding_is_per_enterprise_and_not_a_proposal_level_ceiling():
    assert ceiling_for("capacity", "national", D2016) is None
    items = {c.item: c for c in ceilings_in_force("capacity", "national", D2016)}
    assert (items["enterprise_founding"].per, items["enterprise_founding"].cap_vnd) == (
        "enterprise",
        10_000_000,
    )


def test_there_is_no_national_ceiling_in_the_data_before_26_2014_took_effect():
    assert ceiling_for("demonstration", "national", date(2014, 4, 3)) is None


def test_an_unknown_activity_or_fund_is_refused_rather_than_answered_with_none():
    with pytest.raises(ValueError):
        ceiling_for("demo", "national", D2016)
    with pytest.raises(ValueError):
        ceiling_for("demonstration", "provincial", D2016)


def test_priority_areas_may_get_one_and_a_half_times_the_cap():
    assert priority_area_percent("national", D2016) == 150
    assert priority_area_percent("local", D2016) is None


# --- advances ----------------------------------------------------------------------------


def test_the_default_advance_cap_is_70_percent():
    assert advance_cap_percent("training", D2016) == 70
    assert advance_cap_percent("capacity", D2016) == 70


def test_industrial_cluster_advances_are_capped_at_30_percent():
    assert advance_cap_percent("industrial_cluster", D2016) == 30


def test_enterprise_founding_is_paid_in_full_after_acceptance_so_nothing_is_advanced():
    rule = advance_cap("capacity", D2016, item="enterprise_founding")
    assert (rule.percent, rule.when) == (100, "after_acceptance")
    assert advance_cap_percent("capacity", D2016, item="enterprise_founding") == 0


def test_no_advance_rule_is_invented_before_the_data_starts():
    with pytest.raises(LookupError):
        advance_cap_percent("training", date(2010, 1, 1))
