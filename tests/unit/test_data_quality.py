"""The data-quality score's rule (reporting.domain.quality)."""

from reporting.domain.quality import Quality


def test_a_province_with_nothing_wrong_scores_100_and_one_with_nothing_is_not_judged():
    assert Quality(proposals=10, reports_due=4).score == 100.0
    assert Quality().score is None


def test_each_share_weighs_a_quarter():
    assert Quality(proposals=10, without_beneficiary=10).score == 75.0
    assert Quality(proposals=10, reports_due=4, reports_missing=2).score == 87.5
    assert Quality(proposals=0, dead_letters=3).score == 75.0  # everything it sent refused
    both = Quality(proposals=2, dead_letters=1, late_or_out_of_order=1, reports_due=2,
                   reports_missing=1, without_beneficiary=1)  # fmt: skip
    assert both.score == 54.2


def test_merged_provinces_add_their_counts():
    merged = Quality(proposals=2, without_beneficiary=1)
    merged.add(Quality(proposals=3, reports_due=1, reports_missing=1))
    assert merged.as_dict()["proposals"] == 5 and merged.score == 70.0  # (1/5 + 1/1) / 4 = 0.3
