"""The reports: per province, per region and period, the warnings, each also as CSV rows.

Every query of the reports lives in this package.
"""

from reporting.views.provinces import province_report, states_by_province
from reporting.views.quality import data_quality
from reporting.views.regions import parse_period, region_report
from reporting.views.scope import visible_to
from reporting.views.tabular import as_csv, province_rows, region_rows, warning_rows
from reporting.views.warnings import warnings

__all__ = [
    "as_csv",
    "data_quality",
    "parse_period",
    "province_report",
    "province_rows",
    "region_report",
    "region_rows",
    "states_by_province",
    "visible_to",
    "warning_rows",
    "warnings",
]
